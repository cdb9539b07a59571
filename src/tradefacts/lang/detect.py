"""Which language and script an article is written in.

pycld2 (best effort) names the language; a count of letters per script then adds the
script where one language is written in several (``uz-Cyrl``/``uz-Latn``, ``kk-Latn``,
``kk-Arab``), and a few letters that only one alphabet has settle the cases pycld2 does
not know (Kazakh in Latin script, Karakalpak) or gets wrong on short texts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import numpy as np
import pycld2

UNDETERMINED = "und"

#: languages written in several scripts: tag them with the script they are not usually in
_USUAL_SCRIPT = {"kk": "Cyrl", "ky": "Cyrl", "kaa": "Cyrl"}
_ALWAYS_TAGGED = ("uz",)

_HEADER = re.compile(r"\A\s*date\s+\d{4}-\d{2}-\d{2}")
_URL = re.compile(r"(?:https?://|ftp://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"[^\s@]{1,64}@[^\s@]{1,255}")
_MAX_CHARS = 4_000  # plenty to tell a language; keeps detection cheap

# letters that only some alphabets have (lower case)
_KK_CYRL = set("әіұһ")  # Kazakh, not Kyrgyz / Uzbek / Russian
_KK_KY_CYRL = set("өүң")  # Kazakh and Kyrgyz (and Karakalpak), not Uzbek / Russian
_UZ_CYRL = set("ўҳ")  # Uzbek and Karakalpak (ў), Tajik too (ҳ)
_TG_CYRL = set("ӣӯҷ")  # Tajik
_KK_LATN_2018 = set("ǵńúı")  # Kazakh Latin alphabet of 2018 (acute accents)
_KK_LATN_2021 = set("ūñ")  # Kazakh Latin alphabet of 2021
_KK_ARAB = set("ۋڭە")  # Kazakh (and Uyghur) Arabic script
_UG_ARAB = set("ېۆۈئ")  # Uyghur, not Kazakh
_UZ_LATN_MARK = re.compile(r"[og][ʻʼ‘’'`]", re.IGNORECASE)  # oʻzbek, gʻalla


def detect_language(text: str) -> str:
    """Language of ``text``: ``kk``, ``ru``, ``uz-Cyrl``, ``uz-Latn``, ``ky``, ``en``, ...

    Other languages come as pycld2 names them (ISO 639-1 mostly); ``und`` when there is
    no telling. Never raises.
    """
    try:
        return _detect(text)
    except Exception:  # noqa: BLE001 - a language guess must never stop a run
        return UNDETERMINED


def _detect(text: str) -> str:
    clean = _clean(text)
    lower = clean.lower()
    script, total = _scripts(lower)
    if total < 2:
        return UNDETERMINED
    code = _refine(_cld(clean), lower, clean, script, total)
    if code in (None, "un", "xxx"):
        return UNDETERMINED
    if script and (
        code in _ALWAYS_TAGGED or (code in _USUAL_SCRIPT and script != _USUAL_SCRIPT[code])
    ):
        return f"{code}-{script}"
    return code


#: the scripts a letter is told apart by, numbered as in the letter table (0: not a
#: letter; the last: a letter of another script)
_SCRIPTS = (None, "Latn", "Cyrl", "Arab", None)
#: code points below this are classified by one table lookup (the rest one by one)
_TABLE_END = 0x3000
_LETTER_TABLE: np.ndarray | None = None


def _letter_table() -> np.ndarray:
    """For each code point below ``_TABLE_END`` its number in ``_SCRIPTS``. Made on first use."""
    global _LETTER_TABLE
    if _LETTER_TABLE is None:
        _LETTER_TABLE = np.array([_letter_kind(code) for code in range(_TABLE_END)], np.intp)
    return _LETTER_TABLE


def _letter_kind(code: int) -> int:
    ch = chr(code)
    if not ch.isalpha():
        return 0
    script = _script_of(ch)
    return _SCRIPTS.index(script) if script else len(_SCRIPTS) - 1


def _scripts(text: str) -> tuple[str | None, int]:
    """``(script, letters)``: the dominant script (``Latn``, ``Cyrl``, ``Arab``: the one
    with the most letters, at least a quarter of them; among equals, the one whose lowest
    letter comes first in code point order) and the number of letters in the text.
    Counted in numpy: no string object per character."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if not len(codes):
        return None, 0
    kinds = _letter_table().take(codes, mode="clip")
    if codes.max() >= _TABLE_END:  # beyond the table: tell those one by one
        beyond = np.flatnonzero(codes >= _TABLE_END)
        kind_of = {code: _letter_kind(code) for code in set(codes[beyond].tolist())}
        kinds[beyond] = [kind_of[code] for code in codes[beyond].tolist()]
    per_script = np.bincount(kinds, minlength=len(_SCRIPTS)).tolist()
    total = sum(per_script[1:])
    named = [k for k in range(1, len(_SCRIPTS) - 1) if per_script[k]]
    if not named:
        return None, total
    most = max(per_script[k] for k in named)
    tied = [k for k in named if per_script[k] == most]
    kind = min(tied, key=lambda k: int(codes[kinds == k].min())) if len(tied) > 1 else tied[0]
    return (_SCRIPTS[kind] if most >= 0.25 * total else None), total


def _clean(text: str) -> str:
    """The text without the ` date ` header and URLs, safe for pycld2 (valid UTF-8, no controls)."""
    text = _HEADER.sub(" ", text[:_MAX_CHARS], count=1)
    if "://" in text or "www." in text:
        text = _URL.sub(" ", text)
    if "@" in text:
        text = _EMAIL.sub(" ", text)
    if _SUSPECT.search(text):  # most texts have neither: one scan instead of two
        text = _CONTROLS.sub(" ", text)
        if _RARE.search(text):  # unassigned code points: check them one by one
            text = "".join(" " if unicodedata.category(ch) == "Cn" else ch for ch in text)
    return text


# C0/C1 controls except tab and line breaks, lone surrogates
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# characters outside the blocks news text uses, where unassigned code points may hide
_RARE = re.compile("[^\x00-\u2fff\u3000-\u9fff\uac00-\ud7ff\ue000-\uffff]")
# either of them (the complement of the rest, the most common characters first)
_SUSPECT = re.compile("[^\x20-\x7e\xa0-\u9fff\n\t\r\uac00-\ud7ff\ue000-\uffff]")


def _cld(text: str) -> str | None:
    try:
        _reliable, _bytes, details = pycld2.detect(text, bestEffort=True)
    except pycld2.error:
        try:  # last resort: only the letters and spaces
            kept = "".join(ch if ch.isalpha() else " " for ch in text)
            _reliable, _bytes, details = pycld2.detect(kept, bestEffort=True)
        except pycld2.error:
            return None
    code = details[0][1] if details else "un"
    return None if code == "un" else code


def _script_of(ch: str) -> str | None:
    o = ord(ch)
    if ch.isascii() or 0xC0 <= o <= 0x24F or 0x1E00 <= o <= 0x1EFF:
        return "Latn"
    if (
        0x400 <= o <= 0x52F
        or 0x1C80 <= o <= 0x1C8F
        or 0x2DE0 <= o <= 0x2DFF
        or 0xA640 <= o <= 0xA69F
    ):
        return "Cyrl"
    if 0x600 <= o <= 0x6FF or 0x750 <= o <= 0x77F or 0x8A0 <= o <= 0x8FF or 0xFB50 <= o <= 0xFEFF:
        return "Arab"
    return None


def _count(text: str, letters: Iterable[str]) -> int:
    """How often the letters occur in the text, together."""
    return sum(text.count(ch) for ch in letters)


def _refine(code: str | None, lower: str, text: str, script: str | None, total: int) -> str | None:
    """Correct pycld2 where letters only one alphabet has say otherwise (``lower``: the
    text lower-cased, where letters are counted; ``total``: how many letters it has)."""
    if script == "Cyrl":
        return _refine_cyrillic(code, lower, total)
    if script == "Latn":
        if _count(lower, "ǵ") and _count(lower, _KK_LATN_2018) >= 3:
            return "kk"
        if _count(lower, _KK_LATN_2021) and _count(lower, "ä") and _count(lower, "ğı"):
            return "kk"
        if (
            code in (None, "tk", "tr", "az", "kk", "ky")
            and len(_UZ_LATN_MARK.findall(text)) >= 2
            and not _count(lower, "şçğı")  # Turkish letters
        ):
            return "uz"
        return code
    if script == "Arab":
        kk, ug = _count(lower, _KK_ARAB), _count(lower, _UG_ARAB)
        if code in (None, "ug", "ar", "fa", "ur", "ps", "ky") and kk >= 3 and ug == 0:
            return "kk"
        return code
    return code


def _refine_cyrillic(code: str | None, lower: str, total: int) -> str | None:
    """Kazakh, Kyrgyz, Uzbek and Karakalpak apart by the letters only some of them have.

    Only pycld2's Turkic (and Tajik, Mongolian) guesses are second-guessed: Russian text
    quoting a Kazakh name must stay Russian.
    """
    if code not in (None, "kk", "ky", "uz", "tg", "mn"):
        return code
    significant = max(3, total // 150)
    kk, kk_ky = _count(lower, _KK_CYRL), _count(lower, _KK_KY_CYRL)
    uz, tg = _count(lower, "ў"), _count(lower, _TG_CYRL)
    q = _count(lower, "қғ")
    if uz >= significant and kk_ky + _count(lower, "ә") >= significant:
        return "kaa"  # Karakalpak: Uzbek ў beside Kazakh ә, ө, ү, ң
    if kk >= significant and code != "kk":
        return "kk"
    if code in (None, "kk") and kk == 0 and q == 0 and kk_ky >= significant:
        return "ky"
    if code in (None, "kk", "ky") and uz >= significant and kk + kk_ky == 0:
        return "uz"
    if code is None and tg >= significant:
        return "tg"
    return code
