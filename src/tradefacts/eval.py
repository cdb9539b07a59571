"""Score predicted facts against gold annotations, as SPEC "Scoring" says.

Per document, a prediction matches a gold fact when indicator, parties, status, unit and
period are equal and the value is within 0.5 % of gold. Each gold fact matches at most one
prediction; required gold facts are matched first, optional ones then take what is left.
A prediction matching an optional gold fact counts neither way; a missed optional fact is
no error. P/R/F1 are micro-averaged over documents, overall and per language; on matched
required facts, bound and growth_pct accuracy are reported apart.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tradefacts.document import Document, ReadError, decode_bytes
from tradefacts.lang.detect import detect_language
from tradefacts.model import UNORDERED

#: relative tolerance on values (0.5 %)
TOLERANCE = 0.005

FactDict = Mapping[str, Any]
Extractor = Callable[[str, dt.date | None], Sequence[Any]]


# --------------------------------------------------------------------------- gold


@dataclass(frozen=True, slots=True)
class GoldDoc:
    doc: str
    facts: list[dict[str, Any]]
    notes: str = ""


def load_gold(path: str | os.PathLike[str]) -> tuple[dict[str, GoldDoc], list[ReadError]]:
    """Gold documents by id, and one ReadError per unreadable line (or for the file)."""
    gold: dict[str, GoldDoc] = {}
    errors: list[ReadError] = []
    try:
        content = decode_bytes(Path(path).read_bytes())
    except OSError as e:
        return gold, [ReadError(path, e.strerror.lower() if e.strerror else str(e))]
    except ValueError as e:
        return gold, [ReadError(path, str(e))]
    for number, line in enumerate(content.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(ReadError(path, f"not JSON ({e.msg}, column {e.colno})", number))
            continue
        problem = _gold_problem(obj)
        if problem:
            errors.append(ReadError(path, problem, number))
        elif str(obj["doc"]) in gold:
            errors.append(
                ReadError(path, f"doc {obj['doc']!r} given twice; later one ignored", number)
            )
        else:
            doc = str(obj["doc"])
            gold[doc] = GoldDoc(doc, list(obj.get("facts") or []), str(obj.get("notes") or ""))
    return gold, errors


_REQUIRED_FIELDS = ("indicator", "parties", "value", "unit", "status")


def _gold_problem(obj: Any) -> str | None:
    if not isinstance(obj, dict) or obj.get("doc") in (None, ""):
        return "not a gold record (want {doc, facts})"
    facts = obj.get("facts") or []
    if not isinstance(facts, list):
        return "facts is not a list"
    for i, fact in enumerate(facts):
        missing = [k for k in _REQUIRED_FIELDS if not isinstance(fact, dict) or k not in fact]
        if missing:
            return f"fact {i + 1} lacks {', '.join(missing)}"
        if isinstance(fact["value"], bool) or not isinstance(fact["value"], int | float):
            return f"fact {i + 1}: value is not a number"
        if not isinstance(fact["parties"], list):
            return f"fact {i + 1}: parties is not a list"
    return None


# --------------------------------------------------------------------------- matching


def _close(pred: Any, gold: Any) -> bool:
    try:
        p, g = float(pred), float(gold)
    except (TypeError, ValueError):
        return False
    return abs(p - g) <= TOLERANCE * abs(g)


def match_key(fact: FactDict) -> tuple[Any, ...]:
    """What must be equal for a match (besides the value). Unordered pairs compare as sets."""
    parties = tuple(fact.get("parties") or ())
    if fact.get("indicator") in UNORDERED:
        parties = tuple(sorted(parties))
    return (
        fact.get("indicator"),
        parties,
        fact.get("status"),
        fact.get("unit"),
        fact.get("period"),
    )


def bound_equal(pred: FactDict, gold: FactDict) -> bool:
    """Same bound; for a range, also the same upper value."""
    if pred.get("bound") != gold.get("bound"):
        return False
    if gold.get("bound") == "range":
        return _close(pred.get("value_max"), gold.get("value_max"))
    return True


def growth_equal(pred: FactDict, gold: FactDict) -> bool:
    """Both absent, or the same bound with values (and upper values) within 0.5 %."""
    p, g = pred.get("growth_pct"), gold.get("growth_pct")
    if not p or not g:
        return not p and not g
    if p.get("bound", "eq") != g.get("bound", "eq") or not _close(p.get("value"), g.get("value")):
        return False
    if g.get("value_max") is None:
        return p.get("value_max") is None
    return _close(p.get("value_max"), g.get("value_max"))


@dataclass
class DocMatch:
    """The matching of one document's predictions against its gold."""

    matched: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    optional_matched: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    misses: list[dict[str, Any]] = field(default_factory=list)
    extras: list[dict[str, Any]] = field(default_factory=list)

    @property
    def tp(self) -> int:
        return len(self.matched)

    @property
    def fp(self) -> int:
        return len(self.extras)

    @property
    def fn(self) -> int:
        return len(self.misses)


def match_facts(gold: Sequence[FactDict], pred: Sequence[FactDict]) -> DocMatch:
    """Match one document's predictions to its gold facts (required first, then optional)."""
    result = DocMatch()
    free = list(range(len(pred)))
    required = [dict(g) for g in gold if not g.get("optional")]
    optional = [dict(g) for g in gold if g.get("optional")]
    for facts, pairs, misses in (
        (required, result.matched, result.misses),
        (optional, result.optional_matched, None),
    ):
        for g, j in _assign(facts, pred, free):
            if j is None:
                if misses is not None:
                    misses.append(g)
            else:
                pairs.append((g, dict(pred[j])))
                free.remove(j)
    result.extras = [dict(pred[j]) for j in free]
    return result


def _assign(
    gold: list[dict[str, Any]], pred: Sequence[FactDict], free: list[int]
) -> list[tuple[dict[str, Any], int | None]]:
    """Maximum matching of gold facts to free predictions, each a value interval and a point.

    Golds are taken in order of their interval's upper end, each getting the lowest free
    prediction inside its interval (optimal for intervals), ties broken by bound and growth.
    """
    taken: set[int] = set()
    out: list[tuple[dict[str, Any], int | None]] = []
    for g in sorted(gold, key=lambda g: float(g["value"]) + TOLERANCE * abs(float(g["value"]))):
        key = match_key(g)
        candidates = [
            j
            for j in free
            if j not in taken
            and match_key(pred[j]) == key
            and _close(pred[j].get("value"), g["value"])
        ]
        if not candidates:
            out.append((g, None))
            continue
        best = min(
            candidates,
            key=lambda j: (
                float(pred[j]["value"]),
                not bound_equal(pred[j], g),
                not growth_equal(pred[j], g),
                j,
            ),
        )
        taken.add(best)
        out.append((g, best))
    return out


# --------------------------------------------------------------------------- scores


@dataclass
class Counts:
    """Micro-averaged counts; ratios are None when undefined (nothing to divide by)."""

    docs: int = 0
    gold: int = 0
    pred: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    optional_matched: int = 0
    bound_ok: int = 0
    growth_ok: int = 0

    def add(self, m: DocMatch, n_gold: int, n_pred: int) -> None:
        self.docs += 1
        self.gold += n_gold
        self.pred += n_pred
        self.tp += m.tp
        self.fp += m.fp
        self.fn += m.fn
        self.optional_matched += len(m.optional_matched)
        self.bound_ok += sum(bound_equal(p, g) for g, p in m.matched)
        self.growth_ok += sum(growth_equal(p, g) for g, p in m.matched)

    @property
    def precision(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    @property
    def bound_accuracy(self) -> float | None:
        return _ratio(self.bound_ok, self.tp)

    @property
    def growth_accuracy(self) -> float | None:
        return _ratio(self.growth_ok, self.tp)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {k: getattr(self, k) for k in self.__dataclass_fields__}
        for k in ("precision", "recall", "f1", "bound_accuracy", "growth_accuracy"):
            d[k] = getattr(self, k)
        return d


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


@dataclass
class DocResult:
    doc: str
    lang: str
    match: DocMatch
    error: str | None = None


@dataclass
class EvalResult:
    docs: list[DocResult] = field(default_factory=list)
    overall: Counts = field(default_factory=Counts)
    by_lang: dict[str, Counts] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def to_dict(self, details: bool = True) -> dict[str, Any]:
        """Scores overall and per language, warnings, errors and per-document counts
        (with each document's misses and extras when ``details``)."""
        docs = []
        for r in self.docs:
            d: dict[str, Any] = {
                "doc": r.doc,
                "lang": r.lang,
                "tp": r.match.tp,
                "fp": r.match.fp,
                "fn": r.match.fn,
            }
            if details:
                d["misses"] = r.match.misses
                d["extras"] = r.match.extras
            if r.error:
                d["error"] = r.error
            docs.append(d)
        return {
            "overall": self.overall.to_dict(),
            "by_lang": {k: v.to_dict() for k, v in self.by_lang.items()},
            "warnings": self.warnings,
            "errors": self.errors,
            "docs": docs,
        }


def score(
    gold: Mapping[str, GoldDoc],
    predictions: Mapping[str, Sequence[FactDict]],
    langs: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> EvalResult:
    """Score predictions (SPEC fact dicts by doc id) against gold.

    Only documents present in both are scored; the others are warnings.
    """
    langs = langs or {}
    errors = errors or {}
    result = EvalResult()
    for doc in gold:
        if doc not in predictions:
            result.warnings.append(f"gold doc {doc!r} has no article in the corpus; not scored")
    for doc, pred in predictions.items():
        if doc not in gold:
            result.warnings.append(f"article {doc!r} has no gold; not scored")
            continue
        g = gold[doc].facts
        m = match_facts(g, pred)
        lang = langs.get(doc) or "und"
        result.docs.append(DocResult(doc, lang, m, errors.get(doc)))
        n_gold = sum(1 for f in g if not f.get("optional"))
        result.overall.add(m, n_gold, len(pred))
        result.by_lang.setdefault(lang, Counts()).add(m, n_gold, len(pred))
    result.by_lang = dict(sorted(result.by_lang.items(), key=lambda kv: (-kv[1].docs, kv[0])))
    result.errors.extend(f"{doc}: {reason}" for doc, reason in errors.items())
    return result


def default_extractor() -> Extractor:
    """``tradefacts.extract.extract``, looked up at call time (so tests can replace it)."""
    return importlib.import_module("tradefacts.extract").extract


def evaluate(
    gold: Mapping[str, GoldDoc],
    documents: Iterable[Document | ReadError],
    extractor: Extractor | None = None,
    on_error: Callable[[str], None] | None = None,
) -> EvalResult:
    """Run the extractor over the documents and score them against gold.

    ``on_error`` receives one line per unreadable input or failed extraction as it
    happens; a failed extraction scores as no predictions.
    """
    predictions: dict[str, list[dict[str, Any]]] = {}
    langs: dict[str, str] = {}
    failed: dict[str, str] = {}
    read_errors: list[str] = []
    duplicates: list[str] = []
    for item in documents:
        if isinstance(item, ReadError):
            read_errors.append(str(item))
            if on_error:
                on_error(item.message)
            continue
        if item.id in predictions:
            duplicates.append(f"article id {item.id!r} appears twice; later one ignored")
            continue
        predictions[item.id] = []
        if item.id not in gold:
            continue
        langs[item.id] = item.label_lang or detect_language(item.text)
        try:
            run = extractor or default_extractor()
            predictions[item.id] = [_as_dict(f) for f in run(item.text, item.date)]
        except Exception as e:  # noqa: BLE001 - one article must not stop the run
            failed[item.id] = _reason(e)
            if on_error:
                on_error(f"error: {item.id}: {failed[item.id]}")
    result = score(gold, predictions, langs, failed)
    result.warnings[:0] = duplicates
    result.errors[:0] = read_errors
    return result


def _as_dict(fact: Any) -> dict[str, Any]:
    return dict(fact) if isinstance(fact, Mapping) else fact.to_dict()


def _reason(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0]}" if text else type(e).__name__


# --------------------------------------------------------------------------- report


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}"


def format_parties(fact: FactDict) -> str:
    """``KAZ→CHN`` for a direction (export, import, investment), ``CHN/KAZ`` for a pair."""
    parties = [str(p) for p in fact.get("parties") or ()]
    return ("/" if fact.get("indicator") in UNORDERED else "→").join(parties)


def format_fact(fact: FactDict) -> str:
    """One fact on one line: indicator, parties, period, value, unit, bound, status, growth."""
    value = _num(fact.get("value"))
    if fact.get("value_max") is not None:
        value += f"..{_num(fact['value_max'])}"
    parts = [
        str(fact.get("indicator")),
        format_parties(fact),
        str(fact.get("period") or "-"),
        f"{value} {fact.get('unit')}",
        str(fact.get("bound")),
        str(fact.get("status")),
    ]
    growth = fact.get("growth_pct")
    if growth:
        g = _num(growth.get("value"))
        if growth.get("value_max") is not None:
            g += f"..{_num(growth['value_max'])}"
        parts.append(f"growth {growth.get('bound', 'eq')} {g}%")
    if fact.get("product"):
        parts.append(f"product={fact['product']}")
    if fact.get("optional"):
        parts.append("(optional)")
    return " ".join(parts)


def _num(x: Any) -> str:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return str(x)
    return f"{f:,.0f}" if f == int(f) else f"{f:,.6g}"


def _quote(fact: FactDict) -> str | None:
    if fact.get("quote"):
        return str(fact["quote"])
    evidence = fact.get("evidence")
    if isinstance(evidence, Mapping) and evidence.get("sentence"):
        return str(evidence["sentence"])
    return None


def format_report(result: EvalResult, show_misses: bool = False) -> str:
    """The text report: a table per language and overall, then warnings (and misses)."""
    head = f"{'lang':<9}{'docs':>5}{'gold':>6}{'pred':>6}{'tp':>5}{'fp':>5}{'fn':>5}{'opt':>5}"
    head += f"{'P':>7}{'R':>7}{'F1':>7}{'bound':>7}{'growth':>7}"
    lines = [head, "-" * len(head)]
    rows = [*result.by_lang.items(), ("all", result.overall)]
    for i, (lang, c) in enumerate(rows):
        if i == len(rows) - 1:
            lines.append("-" * len(head))
        lines.append(
            f"{lang:<9}{c.docs:>5}{c.gold:>6}{c.pred:>6}{c.tp:>5}{c.fp:>5}{c.fn:>5}"
            f"{c.optional_matched:>5}{_pct(c.precision):>7}{_pct(c.recall):>7}{_pct(c.f1):>7}"
            f"{_pct(c.bound_accuracy):>7}{_pct(c.growth_accuracy):>7}"
        )
    lines.append(
        "gold = required gold facts; opt = predictions matching optional gold (not counted); "
        "bound/growth = accuracy on matched facts"
    )
    if show_misses:
        lines.extend(_misses(result))
    lines.extend(f"warning: {w}" for w in result.warnings)
    return "\n".join(lines) + "\n"


def _misses(result: EvalResult) -> list[str]:
    out: list[str] = []
    for r in result.docs:
        wrong_attr = [
            (g, p) for g, p in r.match.matched if not bound_equal(p, g) or not growth_equal(p, g)
        ]
        if not (r.match.misses or r.match.extras or wrong_attr or r.error):
            continue
        out.append("")
        out.append(f"== {r.doc} ({r.lang}){'  error: ' + r.error if r.error else ''}")
        for tag, facts in (("MISS ", r.match.misses), ("EXTRA", r.match.extras)):
            for f in facts:
                out.append(f"  {tag} {format_fact(f)}")
                quote = _quote(f)
                if quote:
                    out.append(f"        «{quote}»")
        for g, p in wrong_attr:
            out.append(f"  DIFF  gold {format_fact(g)}")
            out.append(f"        pred {format_fact(p)}")
    return out


# --------------------------------------------------------------------------- stories


def load_stories(path: str | os.PathLike[str]) -> list[list[str]]:
    """Gold stories: ``{"stories": [[doc, doc, ...], ...]}`` (every other article is a
    story of its own). Raises ValueError on a file that is not such an object."""
    try:
        data = json.loads(decode_bytes(Path(path).read_bytes()))
    except OSError as e:
        raise ValueError(f"{path}: {e.strerror.lower() if e.strerror else e}") from None
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: not JSON ({e.msg}, line {e.lineno})") from None
    stories = data.get("stories") if isinstance(data, dict) else data
    if not isinstance(stories, list) or not all(
        isinstance(s, list) and all(isinstance(d, str) for d in s) for s in stories
    ):
        raise ValueError(f'{path}: want {{"stories": [[doc, doc, ...], ...]}}')
    return [list(s) for s in stories]


def story_pairs(
    groups: Iterable[Iterable[str]], docs: set[str] | None = None
) -> set[tuple[str, str]]:
    """The unordered pairs of documents that share a group (restricted to ``docs``)."""
    pairs: set[tuple[str, str]] = set()
    for group in groups:
        members = sorted({d for d in group if docs is None or d in docs})
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                pairs.add((a, b))
    return pairs


@dataclass
class StoryScore:
    """Pairwise scores of predicted stories: a pair of articles is positive when both are
    in one story."""

    docs: int = 0
    gold_pairs: set[tuple[str, str]] = field(default_factory=set)
    pred_pairs: set[tuple[str, str]] = field(default_factory=set)
    predicted: list[list[str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def tp(self) -> int:
        return len(self.gold_pairs & self.pred_pairs)

    @property
    def precision(self) -> float | None:
        return _ratio(self.tp, len(self.pred_pairs))

    @property
    def recall(self) -> float | None:
        return _ratio(self.tp, len(self.gold_pairs))

    @property
    def f1(self) -> float | None:
        return _ratio(2 * self.tp, len(self.pred_pairs) + len(self.gold_pairs))

    def to_dict(self) -> dict[str, Any]:
        return {
            "docs": self.docs,
            "gold_pairs": len(self.gold_pairs),
            "predicted_pairs": len(self.pred_pairs),
            "tp": self.tp,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "missed": sorted(self.gold_pairs - self.pred_pairs),
            "extra": sorted(self.pred_pairs - self.gold_pairs),
            "predicted_stories": self.predicted,
            "warnings": self.warnings,
        }


def score_stories(
    gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]], docs: Iterable[str]
) -> StoryScore:
    """Pairwise precision and recall of predicted stories over the documents ``docs``."""
    universe = set(docs)
    result = StoryScore(docs=len(universe))
    for group in gold:
        for d in group:
            if d not in universe:
                result.warnings.append(f"gold story member {d!r} is not in the corpus")
    result.gold_pairs = story_pairs(gold, universe)
    result.pred_pairs = story_pairs(predicted, universe)
    result.predicted = [sorted(g) for g in predicted if len(set(g) & universe) > 1]
    return result


def evaluate_stories(
    gold: Sequence[Sequence[str]],
    documents: Iterable[Document | ReadError],
    on_error: Callable[[str], None] | None = None,
) -> StoryScore:
    """Ingest the documents into a throwaway store and score its stories (by document id)."""
    from tradefacts.store import Store

    docs: list[Document] = []
    for item in documents:
        if isinstance(item, ReadError):
            if on_error:
                on_error(item.message)
            continue
        docs.append(item)
    with Store(":memory:") as store:
        store.ingest(docs, on_error=on_error)
        ids = dict(
            store.con.execute("SELECT id, doc_id FROM articles WHERE NOT superseded").fetchall()
        )
        predicted = [[ids[m["article_id"]] for m in s["members"]] for s in store.stories()]
    return score_stories(gold, predicted, ids.values())


def format_story_report(result: StoryScore, show_misses: bool = False) -> str:
    lines = [
        f"stories: {result.docs} articles, gold pairs {len(result.gold_pairs)}, "
        f"predicted pairs {len(result.pred_pairs)}, tp {result.tp}",
        f"pairwise P {_pct(result.precision)}  R {_pct(result.recall)}  F1 {_pct(result.f1)}",
    ]
    if show_misses:
        lines += [f"  MISS  {a} + {b}" for a, b in sorted(result.gold_pairs - result.pred_pairs)]
        lines += [f"  EXTRA {a} + {b}" for a, b in sorted(result.pred_pairs - result.gold_pairs)]
    lines += [f"warning: {w}" for w in result.warnings]
    return "\n".join(lines) + "\n"
