"""Stories: the articles that report one event, across languages and outlets.

No translation is needed: the figures an article states are its language-independent
fingerprint. Two articles are *linked* (docs/reconcile.md has the numbers):

- by **facts**, when they state the same figures: facts of one indicator, parties,
  status and unit, with periods that agree (equal, or one not given) and values
  that are one figure written twice (``same_figure``: "over $3.16 bn" and "more than
  $3.1 bn"). Each shared figure weighs by how telling it is: 0.25 for a round one-digit
  figure ($5 bn), 1 for two significant digits, 1.5 for three or more; half as much for a
  target or forecast (repeated for years); +0.5 when both give the same growth rate, half
  the weight when they give different ones. Linked when the weights add up to
  ``FACT_LINK`` and the shared figures are at least half of the smaller article's facts,
  or when they add up to ``FACT_LINK_ALONE`` whatever else the articles say;
- by **text**, when they are same-language near-duplicates: MinHash (datasketch's scheme, in numpy) over
  word 3-shingles estimates a Jaccard similarity of at least ``NEAR_DUPLICATE``, and
  their facts, if both have any, share a pair of parties and do not contradict;

and in both cases only when their publication dates are at most ``LINK_DAYS`` apart. An
undated article has no date to compare, so only what it says can place it: its figures,
and the periods they cover (an article about January-August cannot be older than
August's end, so it is not linked to an article published before).

Stories are the connected groups of links, joined strongest link first, and a link that
would stretch a story over more than ``STORY_DAYS`` between its first and last dated
article is not followed (so a recap article does not glue two events together).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tradefacts.reconcile.claims import (
    FactRow,
    growth_same,
    interval,
    key_period,
    same_figure,
    significant_digits,
)

LINK_DAYS = 3
STORY_DAYS = 7
FACT_LINK = 1.0
FACT_LINK_ALONE = 3.0
MIN_OVERLAP = 0.5
NEAR_DUPLICATE = 0.5
NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
SHINGLE = 3
#: at most this many words from the start of an article go into its MinHash
MAX_WORDS = 600
#: the MinHash settings, stored with the signatures; another value means recompute them
#: (datasketch 2 changed its default permutation scheme, so the scheme is named, not assumed)
MINHASH_SCHEME = "affine32"
MINHASH_VERSION = f"minhash-{NUM_PERM}x{SHINGLE}-crc32words-{MINHASH_SCHEME}-fmix64bands-3"

_WORD = re.compile(r"\w+", re.UNICODE)


# --------------------------------------------------------------------------- MinHash


#: word hashes already computed (words repeat across articles); bounded
_WORD_HASHES: dict[str, int] = {}
_MAX_HASH = np.uint64((1 << 32) - 1)
_PERMUTATIONS: tuple[np.ndarray, np.ndarray] | None = None
# odd multipliers that mix three word hashes into one shingle hash
_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F))
_CHUNK = 64  # articles per vectorised MinHash step (bounds the temporary matrix)


def _word_hashes(words: list[str]) -> list[int]:
    cache = _WORD_HASHES
    out = list(map(cache.get, words))
    if None in out:
        for i, w in enumerate(words):
            if out[i] is None:
                h = zlib.crc32(w.encode("utf-8", "surrogatepass"))
                if len(cache) < 1_000_000:
                    cache[w] = h
                out[i] = h
    return out  # type: ignore[return-value]


def shingle_hashes(text: str) -> np.ndarray:
    """32-bit hashes of the word 3-shingles of a text (lower-cased, at most ``MAX_WORDS``
    words; a shorter text is one shingle of all its words). Repeats may occur: a MinHash
    takes minima, so a multiset gives the signature of its set."""
    words = _WORD.findall(text.lower())[:MAX_WORDS]
    h = np.array(_word_hashes(words) or [0], dtype=np.uint64)
    with np.errstate(over="ignore"):
        if len(h) < SHINGLE:
            mixed = np.array([0], dtype=np.uint64)
            for x in h:
                mixed = mixed * _MIX[0] + x
        else:
            n = len(h) - SHINGLE + 1
            mixed = (h[:n] * _MIX[0] + h[1 : n + 1]) * _MIX[1] + h[2 : n + 2]
    return (mixed ^ (mixed >> np.uint64(32))) & _MAX_HASH


def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutations ``h -> a * h + b mod 2^32`` (seed 1), drawn the
    way datasketch draws them (a test checks they are equal), without importing datasketch
    (which imports scipy: a second on every start)."""
    global _PERMUTATIONS
    if _PERMUTATIONS is None:
        gen = np.random.RandomState(1)
        a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
        b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
        _PERMUTATIONS = (a, b)
    return _PERMUTATIONS


#: MurmurHash3's finalizers (shift, multiplier, shift, multiplier, shift) by word width
_FMIX = {
    32: tuple(np.uint32(x) for x in (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16)),
    64: tuple(np.uint64(x) for x in (33, 0xFF51AFD7ED558CCD, 33, 0xC4CEB9FE1A85EC53, 33)),
}


def _fmix(h: np.ndarray, width: int) -> np.ndarray:
    """MurmurHash3's finalizer (every input bit moves every output bit); the 32-bit one is
    what datasketch applies before its permutations."""
    s1, m1, s2, m2, s3 = _FMIX[width]
    h = (h ^ (h >> s1)) * m1
    h = (h ^ (h >> s2)) * m2
    return h ^ (h >> s3)


def signatures(texts: Sequence[str]) -> list[bytes]:
    """MinHash signatures (``NUM_PERM`` 32-bit values, as bytes) of texts: datasketch's
    MinHash (affine32 scheme) of each text's shingle hashes, computed for many texts at
    once with numpy (``tests`` check it equals ``MinHash.update_batch``)."""
    a, b = _permutations()
    out: list[bytes] = []
    for k in range(0, len(texts), _CHUNK):
        hashes, starts = _chunk_shingle_hashes(texts[k : k + _CHUNK])
        with np.errstate(over="ignore"):
            phv = np.multiply.outer(_fmix(hashes, 32), a)  # uint32: mod 2^32
            phv += b
        mins = np.minimum.reduceat(phv, starts, axis=0).astype("<u4", copy=False)
        out.extend(row.tobytes() for row in mins)
    return out


def _chunk_shingle_hashes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """``shingle_hashes`` of several texts at once: all of them (uint32) one text after
    the other, and where each text's begin."""
    words = [_WORD.findall(t.lower())[:MAX_WORDS] for t in texts]
    counts = np.array([len(w) for w in words], dtype=np.int64)
    if not len(counts) or counts.min() < SHINGLE:  # one shingle of all its words: one by one
        parts = [shingle_hashes(t).astype(np.uint32) for t in texts]
        return np.concatenate(parts), np.cumsum([0] + [len(p) for p in parts[:-1]])
    h = np.array(_word_hashes([w for ws in words for w in ws]), dtype=np.uint64)
    with np.errstate(over="ignore"):
        mixed = (h[:-2] * _MIX[0] + h[1:-1]) * _MIX[1] + h[2:]
    # the shingle at each word of a text but its last two: drop those that straddle texts
    firsts = np.cumsum(counts) - counts
    straddle = (firsts[1:, None] - np.array([2, 1])).reshape(-1)
    mixed = np.delete(mixed, straddle)
    starts = firsts - 2 * np.arange(len(counts))
    return ((mixed ^ (mixed >> np.uint64(32))) & _MAX_HASH).astype(np.uint32), starts


def band_hashes(langs: Sequence[str | None], sigs: Sequence[bytes]) -> np.ndarray:
    """LSH bands: for each text, ``BANDS`` signed 64-bit hashes of its language and of
    ``ROWS`` signature values each (an array of shape ``(len(sigs), BANDS)``). Two texts
    of one language and Jaccard similarity J share at least one band with probability
    1 - (1 - J^ROWS)^BANDS (0.5: 64 %, 0.6: 89 %, 0.7: 99 %)."""
    n = len(sigs)
    if n == 0:
        return np.zeros((0, BANDS), dtype=np.int64)
    values = np.frombuffer(b"".join(sigs), dtype="<u4").reshape(n, BANDS, ROWS)
    values = values.astype(np.uint64)
    lang_hash = np.array(
        [zlib.crc32((lang or "").encode("utf-8")) for lang in langs], dtype=np.uint64
    )
    with np.errstate(over="ignore"):
        h = lang_hash[:, None] * _MIX[0] + np.arange(BANDS, dtype=np.uint64)[None, :]
        for r in range(ROWS):
            h = _fmix(h * _MIX[1] + values[:, :, r], 64)
    return h.view(np.int64)


def similarities(
    sig_of: Mapping[str, bytes], pairs: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], float]:
    """The Jaccard similarity the signatures estimate (the share of equal values), for many
    pairs of articles at once: ``{(a, b): J}`` for the pairs whose signatures are known."""
    known = [(a, b) for a, b in pairs if a in sig_of and b in sig_of]
    if not known:
        return {}
    ids = sorted({x for p in known for x in p})
    row = {x: i for i, x in enumerate(ids)}
    matrix = np.frombuffer(b"".join(sig_of[x] for x in ids), dtype="<u4").reshape(len(ids), -1)
    ia = np.fromiter((row[a] for a, _ in known), dtype=np.int64, count=len(known))
    ib = np.fromiter((row[b] for _, b in known), dtype=np.int64, count=len(known))
    out: dict[tuple[str, str], float] = {}
    for k in range(0, len(known), 50_000):  # bounds the temporary matrix
        sims = (matrix[ia[k : k + 50_000]] == matrix[ib[k : k + 50_000]]).mean(axis=1)
        out.update(zip(known[k : k + 50_000], sims.tolist(), strict=True))
    return out


# --------------------------------------------------------------------------- links


@dataclass(slots=True)
class ArticleInfo:
    """A current article version with its facts."""

    article_id: str
    version: int
    published: dt.date | None
    lang: str | None
    facts: list[FactRow] = field(default_factory=list)
    _distinct: list[FactRow] | None = field(default=None, repr=False, compare=False)

    def distinct_facts(self) -> list[FactRow]:
        """The facts, each statement of a figure once (computed once: the facts are fixed)."""
        if self._distinct is None:
            seen: dict[tuple[Any, ...], FactRow] = {}
            for f in self.facts:
                key = (*f.base_key, f.period, f.value, f.bound, f.value_max)
                seen.setdefault(key, f)
            self._distinct = list(seen.values())
        return self._distinct

    @property
    def latest_period_end(self) -> dt.date | None:
        """The end of the latest period an actual figure of the article covers."""
        ends = [f.period_end for f in self.facts if f.status == "actual" and f.period_end]
        return max(ends) if ends else None

    @property
    def pairs(self) -> set[tuple[str, str]]:
        return {tuple(sorted((f.party_a, f.party_b))) for f in self.facts}  # type: ignore[misc]


@dataclass(slots=True)
class Link:
    a: str
    b: str
    kind: str  # "facts" or "text"
    score: float
    shared: int = 0
    overlap: float = 0.0
    similarity: float | None = None
    days: int | None = None

    def to_row(self) -> dict[str, Any]:
        return {
            "article_a": self.a,
            "article_b": self.b,
            "kind": self.kind,
            "score": round(self.score, 6),
            "shared": self.shared,
            "overlap": round(self.overlap, 6),
            "similarity": None if self.similarity is None else round(self.similarity, 6),
            "days": self.days,
        }


def figure_weight(f: FactRow, g: FactRow) -> float:
    """How much one shared figure says that two articles report one event."""
    digits = min(significant_digits(f.value), significant_digits(g.value))
    w = 0.25 if digits <= 1 else 1.0 if digits == 2 else 1.5
    if f.status != "actual":
        w *= 0.5
    same_growth = growth_same(f.growth_value, g.growth_value)
    if same_growth is True:
        w += 0.5
    elif same_growth is False:
        w *= 0.5
    return w


def _periods_agree(f: FactRow, g: FactRow) -> bool:
    if f.period is None or g.period is None:
        return True
    return key_period(f.period, f.status) == key_period(g.period, g.status)


def _same(f: FactRow, g: FactRow) -> bool:
    return (
        f.base_key == g.base_key
        and _periods_agree(f, g)
        and same_figure(f.value, f.bound, g.value, g.bound)
    )


def shared_figures(a: ArticleInfo, b: ArticleInfo) -> tuple[float, int, float]:
    """``(score, shared, overlap)``: the weight of the figures both state (each fact
    matched at most once, heaviest first), how many, and their share of the smaller
    article's distinct facts."""
    fa, fb = a.distinct_facts(), b.distinct_facts()
    if not fa or not fb:
        return 0.0, 0, 0.0
    by_key: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for j, g in enumerate(fb):
        by_key[g.base_key].append(j)
    candidates = []
    for i, f in enumerate(fa):
        for j in by_key.get(f.base_key, ()):
            if _same(f, fb[j]):
                candidates.append((figure_weight(f, fb[j]), i, j))
    used_a: set[int] = set()
    used_b: set[int] = set()
    score, shared = 0.0, 0
    for w, i, j in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        score += w
        shared += 1
    return score, shared, shared / min(len(fa), len(fb))


def dates_allow(a: ArticleInfo, b: ArticleInfo) -> tuple[bool, int | None]:
    """Whether two articles can report one event by their dates; the days between them."""
    if a.published and b.published:
        days = abs((a.published - b.published).days)
        return days <= LINK_DAYS, days
    dated, undated = (a, b) if a.published else (b, a)
    if dated.published is None:
        return True, None
    end = undated.latest_period_end
    if end is not None and end > dated.published + dt.timedelta(days=LINK_DAYS):
        return False, None
    return True, None


def _contradict(a: ArticleInfo, b: ArticleInfo) -> bool:
    """Some figure of one, for a key and period the other states too, is incompatible
    (figures scoped to a product left out)."""
    by_key: dict[tuple[Any, ...], list[FactRow]] = defaultdict(list)
    for g in b.facts:
        if g.period and not g.product:
            by_key[(g.base_key, key_period(g.period, g.status))].append(g)
    for f in a.facts:
        if not f.period or f.product:
            continue
        others = by_key.get((f.base_key, key_period(f.period, f.status)))
        if not others:
            continue
        mine = f.interval
        if not any(mine.meets(g.interval) for g in others):
            return True
    return False


def link(a: ArticleInfo, b: ArticleInfo, text_similarity: float | None = None) -> Link | None:
    """The link between two articles, or None (see the module docstring)."""
    if a.article_id == b.article_id:
        return None
    allowed, days = dates_allow(a, b)
    if not allowed:
        return None
    x, y = (a, b) if a.article_id < b.article_id else (b, a)
    score, shared, overlap = shared_figures(a, b)
    by_facts = score >= FACT_LINK_ALONE or (score >= FACT_LINK and overlap >= MIN_OVERLAP)
    by_text = (
        text_similarity is not None
        and text_similarity >= NEAR_DUPLICATE
        and a.lang == b.lang
        and (not a.facts or not b.facts or (bool(a.pairs & b.pairs) and not _contradict(a, b)))
    )
    if by_text:
        assert text_similarity is not None
        return Link(x.article_id, y.article_id, "text", score + 3 * text_similarity, shared,
                    overlap, text_similarity, days)  # fmt: skip
    if by_facts:
        return Link(x.article_id, y.article_id, "facts", score, shared, overlap,
                    text_similarity, days)  # fmt: skip
    return None


# --------------------------------------------------------------------------- stories


@dataclass(slots=True)
class Story:
    story_id: str
    members: list[str]
    via: dict[str, tuple[str, float]]  # article -> (kind, score) of its strongest link


def group(links: Iterable[Link], published: Mapping[str, dt.date | None]) -> list[Story]:
    """Stories of two or more articles from the links (see the module docstring)."""
    parent: dict[str, str] = {}
    span: dict[str, tuple[dt.date | None, dt.date | None]] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def dates(root: str) -> tuple[dt.date | None, dt.date | None]:
        if root not in span:
            d = published.get(root)
            span[root] = (d, d)
        return span[root]

    via: dict[str, tuple[str, float]] = {}
    for ln in sorted(links, key=lambda ln: (-ln.score, ln.a, ln.b)):
        ra, rb = find(ln.a), find(ln.b)
        if ra == rb:
            continue
        (a0, a1), (b0, b1) = dates(ra), dates(rb)
        lo = min((d for d in (a0, b0) if d), default=None)
        hi = max((d for d in (a1, b1) if d), default=None)
        if lo and hi and (hi - lo).days > STORY_DAYS:
            continue
        root, child = (ra, rb) if ra < rb else (rb, ra)
        parent[child] = root
        span[root] = (lo, hi)
        for x in (ln.a, ln.b):
            if x not in via or via[x][1] < ln.score:
                via[x] = (ln.kind, ln.score)
    members: dict[str, list[str]] = defaultdict(list)
    for x in list(parent):
        members[find(x)].append(x)
    stories = []
    for group_members in members.values():
        if len(group_members) < 2:
            continue
        ordered = sorted(
            group_members,
            key=lambda m: (published.get(m) is None, published.get(m) or dt.date.min, m),
        )
        raw = "\x1f".join(sorted(group_members))
        sid = "s" + hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:15]
        stories.append(Story(sid, ordered, {m: via[m] for m in ordered if m in via}))
    stories.sort(key=lambda s: s.story_id)
    return stories


def story_parties(facts: Iterable[FactRow]) -> list[str]:
    """The parties a story's facts name most, most often first (at most four)."""
    counts: dict[str, int] = defaultdict(int)
    for f in facts:
        for p in {f.party_a, f.party_b}:
            counts[p] += 1
    return [p for p, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))][:4]


__all__ = [
    "ArticleInfo",
    "Link",
    "Story",
    "band_hashes",
    "dates_allow",
    "group",
    "interval",
    "link",
    "shared_figures",
    "signatures",
    "similarities",
    "story_parties",
]
