"""Which language and script an article is written in.

pycld2 (best effort) names the language; a count of letters per script then adds the
script where one language is written in several (``uz-Cyrl``/``uz-Latn``, ``kk-Latn``,
``kk-Arab``), and a few letters that only one alphabet has settle the cases pycld2 does
not know (Kazakh in Latin script, Karakalpak) or gets wrong on short texts.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

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
    letters = _letter_counts(clean.lower())
    if sum(letters.values()) < 2:
        return UNDETERMINED
    script = _dominant_script(letters)
    code = _refine(_cld(clean), letters, clean, script)
    if code in (None, "un", "xxx"):
        return UNDETERMINED
    if script and (
        code in _ALWAYS_TAGGED or (code in _USUAL_SCRIPT and script != _USUAL_SCRIPT[code])
    ):
        return f"{code}-{script}"
    return code


def _letter_counts(text: str) -> Counter[str]:
    """How often each letter occurs (counted in numpy: no string object per character)."""
    codes, counts = np.unique(
        np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32),
        return_counts=True,
    )
    out: Counter[str] = Counter()
    for code, n in zip(codes.tolist(), counts.tolist(), strict=True):
        ch = chr(code)
        if ch.isalpha():
            out[ch] = n
    return out


def _clean(text: str) -> str:
    """The text without the ` date ` header and URLs, safe for pycld2 (valid UTF-8, no controls)."""
    text = _HEADER.sub(" ", text[:_MAX_CHARS], count=1)
    if "://" in text or "www." in text:
        text = _URL.sub(" ", text)
    if "@" in text:
        text = _EMAIL.sub(" ", text)
    text = _CONTROLS.sub(" ", text)
    if _RARE.search(text):  # unassigned code points: check them one by one
        text = "".join(" " if unicodedata.category(ch) == "Cn" else ch for ch in text)
    return text


# C0/C1 controls except tab and line breaks, lone surrogates
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# characters outside the blocks news text uses, where unassigned code points may hide
_RARE = re.compile("[^\x00-\u2fff\u3000-\u9fff\uac00-\ud7ff\ue000-\uffff]")


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


def _dominant_script(letters: Counter[str]) -> str | None:
    per_script: Counter[str] = Counter()
    for ch, n in letters.items():
        script = _script_of(ch)
        if script:
            per_script[script] += n
    if not per_script:
        return None
    script, n = per_script.most_common(1)[0]
    return script if n >= 0.25 * sum(letters.values()) else None


def _count(letters: Counter[str], alphabet: set[str]) -> int:
    return sum(letters[ch] for ch in alphabet)


def _refine(code: str | None, letters: Counter[str], text: str, script: str | None) -> str | None:
    """Correct pycld2 where letters only one alphabet has say otherwise."""
    if script == "Cyrl":
        return _refine_cyrillic(code, letters)
    if script == "Latn":
        if _count(letters, {"ǵ"}) and _count(letters, _KK_LATN_2018) >= 3:
            return "kk"
        if _count(letters, _KK_LATN_2021) and letters["ä"] and (letters["ğ"] or letters["ı"]):
            return "kk"
        turkish = letters["ş"] + letters["ç"] + letters["ğ"] + letters["ı"]
        if (
            code in (None, "tk", "tr", "az", "kk", "ky")
            and len(_UZ_LATN_MARK.findall(text)) >= 2
            and not turkish
        ):
            return "uz"
        return code
    if script == "Arab":
        kk, ug = _count(letters, _KK_ARAB), _count(letters, _UG_ARAB)
        if code in (None, "ug", "ar", "fa", "ur", "ps", "ky") and kk >= 3 and ug == 0:
            return "kk"
        return code
    return code


def _refine_cyrillic(code: str | None, letters: Counter[str]) -> str | None:
    """Kazakh, Kyrgyz, Uzbek and Karakalpak apart by the letters only some of them have.

    Only pycld2's Turkic (and Tajik, Mongolian) guesses are second-guessed: Russian text
    quoting a Kazakh name must stay Russian.
    """
    significant = max(3, sum(letters.values()) // 150)
    kk, kk_ky = _count(letters, _KK_CYRL), _count(letters, _KK_KY_CYRL)
    uz, tg = letters["ў"], _count(letters, _TG_CYRL)
    q = letters["қ"] + letters["ғ"]
    if code not in (None, "kk", "ky", "uz", "tg", "mn"):
        return code
    if uz >= significant and kk_ky + letters["ә"] >= significant:
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
