"""Numerals: digit strings in every news format, number words, scales, ranges, multiples."""

from __future__ import annotations

import re

_SPACES = re.compile(r"[ \u00a0\u202f]")


def parse_number(raw: str, decimal_comma: bool = True, scaled: bool = False) -> float | None:
    """The value of a numeral as printed in news text.

    Handles decimal comma or point, space / no-break space / dot / comma thousands
    separators ("20 445 231", "1.844.036.360,12", "1,844,036"). A single comma group of
    three digits ("1,500") is a thousands separator in decimal-point languages unless a
    scale word follows ("1,788 миллиард" is 1.788 bn in any language that writes a
    decimal comma; "1,500 million" in English is 1500 million).
    """
    if raw.isdecimal():
        return float(raw)  # plain digits, the commonest case
    s = raw.strip()
    if not s.isascii() or " " in s:  # only then can a separator space stand in it
        s = _SPACES.sub("", s)
    if not s or not s[0].isdigit():
        return None
    try:
        if s.count(".") >= 2:  # dot thousands, optional decimal comma
            return float(s.replace(".", "").replace(",", "."))
        if s.count(",") >= 2:  # comma thousands, optional decimal point
            return float(s.replace(",", ""))
        if "," in s and "." in s:
            if s.index(",") < s.index("."):
                return float(s.replace(",", ""))
            return float(s.replace(".", "").replace(",", "."))
        if "," in s:
            head, tail = s.split(",")
            if len(tail) == 3 and not scaled and head != "0":
                return float(head + tail)  # "310,000 tonnes", "76,500 t"
            return float(head + "." + tail)
        if "." in s:
            head, tail = s.split(".")
            if len(tail) == 3 and decimal_comma and not scaled and len(head) <= 3 and head != "0":
                # "1.500 тонн": dot thousands in comma-decimal languages
                return float(head + tail)
            return float(s)
        return float(s)
    except ValueError:
        return None


def format_number(x: float, style: str) -> str:
    """Write ``x`` the way news does (used by tests to round-trip formats)."""
    whole, _, frac = f"{x:.2f}".partition(".")
    frac = frac.rstrip("0")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    if style == "space":
        return " ".join(groups) + ("," + frac if frac else "")
    if style == "nbsp":
        return "\u00a0".join(groups) + ("," + frac if frac else "")
    if style == "dot":
        return ".".join(groups) + ("," + frac if frac else "")
    if style == "comma":
        return ",".join(groups) + ("." + frac if frac else "")
    if style == "plain_comma":
        return "".join(groups) + ("," + frac if frac else "")
    return "".join(groups) + ("." + frac if frac else "")
