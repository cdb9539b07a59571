"""Numbers every stage of the fact assembly shares."""

BLOCS = frozenset({"OTS", "EAEU", "CIS", "SCO", "EU", "CA", "WLD"})
INHERIT_WINDOW = 6  # sentences a period or a pair carries forward
LEAD_SENTENCES = 4  # headline and lead: their figures may take the period stated just after
