"""Reconciliation: one answer per question, with every source behind it.

- ``claims``: facts of different articles stating one figure, merged; contradictions.
- ``stories``: the articles that report one event, across languages and outlets.
- ``timeline``: the reconciled series between two parties, full years apart from parts.
- ``targets``: stated targets against the actuals, with the growth they need.
- ``engine``: the tables in the store and their incremental update after each ingest.
- ``commands``: ``tradefacts claims | contradictions | stories | timeline | targets |
  reconcile``.

The rules and thresholds are in docs/reconcile.md; the tables in docs/schema.md.
"""
