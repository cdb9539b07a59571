"""Numbers (and an order) every stage of the fact assembly shares."""

from __future__ import annotations

from tradefacts.lang.lexicon import Hit

BLOCS = frozenset({"OTS", "EAEU", "CIS", "SCO", "EU", "CA", "WLD"})
INHERIT_WINDOW = 6  # sentences a period or a pair carries forward
LEAD_SENTENCES = 4  # headline and lead: their figures may take the period stated just after


def by_start_longest(h: Hit) -> tuple[int, int]:
    """Sort key of hits: by the token they start at, the longest first."""
    return (h.start, -(h.end - h.start))
