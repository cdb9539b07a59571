"""Plotly figures (plain dicts, drawn in the browser by the bundled plotly.min.js).

One figure per indicator and unit of a pair: each direction's full-year actuals as a
line with a marker per bound, its partial periods (a quarter, nine months) as markers in
a lighter tone at the end of their period, and each target as a dashed line from the
latest actual to the goal at its deadline. Every point carries in ``customdata`` the fact
behind it: ``[claim_id, fact_id, period label, value as stated, fact page, sources]``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from tradefacts.api.fmt import BOUND_WORDS, fact_path, human, parties, stated
from tradefacts.model import INDICATORS

PALETTE = ("#1f5f99", "#c0392b", "#2e8b57", "#8e44ad", "#d35400", "#16a085", "#7f8c8d")
#: a marker per bound: what the sources say about the value
SYMBOLS = {
    "eq": "circle",
    "approx": "diamond",
    "gt": "triangle-up",
    "lt": "triangle-down",
    "range": "square",
}


def _rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _period_end(row: dict[str, Any]) -> str | None:
    """The x of a point: a full year in the middle of its year (under its label), a part
    of a year at the last day of its period (so within its year, after the full-year
    figures before it)."""
    period = row.get("period") or ""
    last = period.rpartition("/")[2] if "/" in period else period
    if len(last) == 4 and last.isdigit():
        return f"{last}-07-01"
    if len(last) == 7 and last[:4].isdigit() and last[5:].isdigit():
        year, month = int(last[:4]), int(last[5:])
        if 1 <= month <= 12:
            days = (31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30,
                    31, 30, 31, 31, 30, 31, 30, 31)[month - 1]  # fmt: skip
            return f"{year}-{month:02d}-{days:02d}"
    return None


def _point(row: dict[str, Any], unit: str, label: str) -> list[Any]:
    fact = row.get("fact") or {}
    fact_id = fact.get("fact_id")
    return [
        row.get("claim_id"),
        fact_id,
        label,
        stated(row["value"], row["bound"], row.get("value_max"), unit),
        fact_path(fact_id) if fact_id else None,
        row.get("sources"),
    ]


def _error_bars(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A range (``3.5–4 bn``) is drawn as a bar from its low to its high value."""
    if not any(r["bound"] == "range" and r.get("value_max") is not None for r in rows):
        return None
    return {
        "type": "data",
        "symmetric": False,
        "array": [
            (r["value_max"] - r["value"]) if r["bound"] == "range" and r.get("value_max") else 0
            for r in rows
        ],
        "arrayminus": [0 for _ in rows],
        "visible": True,
    }


_HOVER = "%{customdata[2]}: <b>%{customdata[3]}</b><br>%{customdata[5]} source(s)<extra>%{fullData.name}</extra>"


def _points_trace(
    rows: list[dict[str, Any]], name: str, color: str, unit: str, *, partial: bool
) -> dict[str, Any]:
    x, y, custom = [], [], []
    for r in rows:
        end = _period_end(r)
        if end is None:
            continue
        x.append(end)
        y.append(r["value"])
        label = f"{r['label']} {r['year']}" if partial else str(r["year"])
        custom.append(_point(r, unit, label))
    trace: dict[str, Any] = {
        "type": "scatter",
        "name": name + (" (part of a year)" if partial else ""),
        "x": x,
        "y": y,
        "customdata": custom,
        "hovertemplate": _HOVER,
        "mode": "markers" if partial else "lines+markers",
        "marker": {
            "symbol": [SYMBOLS.get(r["bound"], "circle") for r in rows if _period_end(r)],
            "size": 10 if partial else 12,
            "color": _rgba(color, 0.4) if partial else color,
            "line": {"width": 1, "color": color},
        },
        "line": {"color": color, "width": 2},
        "meta": {"kind": "partial" if partial else "years"},
    }
    bars = _error_bars([r for r in rows if _period_end(r)])
    if bars:
        trace["error_y"] = {**bars, "color": color}
    return trace


def _disputed_trace(
    rows: list[dict[str, Any]], name: str, unit: str, kind: str
) -> dict[str, Any] | None:
    """The figures other sources give for the same period (a contradiction), as grey x."""
    x, y, custom = [], [], []
    for r in rows:
        for alt in r.get("alternatives") or []:
            x.append(_period_end(r))
            y.append(alt["value"])
            label = f"{r['label']} {r['year']}" if kind == "partial" else str(r["year"])
            custom.append(_point({**alt, "period": r["period"]}, unit, f"{label}, disputed"))
    if not x:
        return None
    return {
        "type": "scatter",
        "mode": "markers",
        "name": f"{name}: other sources (disputed)",
        "x": x,
        "y": y,
        "customdata": custom,
        "hovertemplate": _HOVER,
        "marker": {"symbol": "x-thin-open", "size": 11, "color": "#7f8c8d", "line": {"width": 2}},
        "meta": {"kind": "disputed"},
    }


def _target_traces(t: dict[str, Any], color: str) -> list[dict[str, Any]]:
    """A target: a dashed goal line from the latest actual (else from when it was stated)
    to the goal at its deadline, and a star at the goal. The line is not hoverable, so a
    click on the actual it starts from opens the actual, and a click on the star opens the
    target."""
    deadline = t.get("deadline")
    if not deadline:
        return []
    goal_x = f"{deadline}-07-01"
    if t.get("actual") is not None and t.get("actual_year"):
        x, y = [f"{t['actual_year']}-07-01", goal_x], [t["actual"], t["target"]]
    elif t.get("stated"):
        x, y = [str(t["stated"]), goal_x], [t["target"], t["target"]]
    else:
        x, y = [goal_x], [t["target"]]
    name = (
        f"{parties(t['indicator'], t['party_a'], t['party_b'])} target "
        f"{human(t['target'])} by {deadline}"
    )
    group = f"target-{t.get('claim_id')}"
    point = _point(
        {**t, "value": t["target"], "value_max": None}, t["unit"], f"target by {deadline}"
    )
    return [
        {
            "type": "scatter",
            "mode": "lines",
            "name": name,
            "x": x,
            "y": y,
            "hoverinfo": "skip",
            "line": {"dash": "dash", "color": color, "width": 2},
            "legendgroup": group,
            "showlegend": False,
            "meta": {"kind": "target-line"},
        },
        {
            "type": "scatter",
            "mode": "markers",
            "name": name,
            "x": [goal_x],
            "y": [t["target"]],
            "customdata": [point],
            "hovertemplate": _HOVER,
            "line": {"dash": "dash", "color": color, "width": 2},
            "marker": {"symbol": "star", "size": 14, "color": color},
            "legendgroup": group,
            "meta": {"kind": "target", "verdict": t.get("verdict")},
        },
    ]


def figures(pair: dict[str, Any]) -> list[dict[str, Any]]:
    """The figures of one pair (``data.pair``): one per indicator and unit, turnover first.

    Each is ``{"id", "indicator", "unit", "title", "data", "layout", "config", "points"}``;
    ``points`` lists what the chart shows, for the table beside it.
    """
    groups: dict[tuple[str, str], dict[str, list[Any]]] = defaultdict(
        lambda: {"series": [], "targets": []}
    )
    for s in pair["series"]:
        groups[(s["indicator"], s["unit"])]["series"].append(s)
    for t in pair["targets"]:
        if t.get("deadline"):
            groups[(t["indicator"], t["unit"])]["targets"].append(t)
    order = {name: i for i, name in enumerate(INDICATORS)}
    out = []
    for (indicator, unit), group in sorted(
        groups.items(), key=lambda kv: (order.get(kv[0][0], 99), kv[0][1] != "USD", kv[0][1])
    ):
        data: list[dict[str, Any]] = []
        points: list[dict[str, Any]] = []
        colors: dict[tuple[str, str], str] = {}

        def color_of(a: str, b: str, colors: dict[tuple[str, str], str] = colors) -> str:
            return colors.setdefault((a, b), PALETTE[len(colors) % len(PALETTE)])

        for s in group["series"]:
            name = f"{parties(indicator, s['party_a'], s['party_b'])} {indicator}"
            color = color_of(s["party_a"], s["party_b"])
            for kind, rows in (("years", s["years"]), ("partial", s["partial"])):
                shown = [r for r in rows if _period_end(r)]
                if not shown:
                    continue
                data.append(_points_trace(shown, name, color, unit, partial=kind == "partial"))
                disputed = _disputed_trace(shown, name, unit, kind)
                if disputed:
                    data.append(disputed)
                for r in shown:
                    points.append(
                        {
                            "kind": kind,
                            "series": name,
                            "period": r["period"],
                            "label": f"{r['label']} {r['year']}" if kind == "partial" else str(r["year"]),
                            "row": r,
                        }
                    )  # fmt: skip
        for t in group["targets"]:
            traces = _target_traces(t, color_of(t["party_a"], t["party_b"]))
            if traces:
                data.extend(traces)
                points.append(
                    {
                        "kind": "target",
                        "series": traces[-1]["name"],
                        "period": t["period"],
                        "label": f"target by {t['deadline']}",
                        "row": {**t, "value": t["target"], "value_max": None},
                    }
                )
        if not data:
            continue
        years = [int(x[:4]) for trace in data for x in trace["x"]]
        title = f"{indicator.capitalize()} ({unit})"
        out.append(
            {
                "id": f"chart-{indicator}-{unit}".replace(" ", "_"),
                "indicator": indicator,
                "unit": unit,
                "title": title,
                "data": data,
                "layout": {
                    "margin": {"l": 56, "r": 12, "t": 12, "b": 32},
                    "height": 320,
                    "autosize": True,
                    "hovermode": "closest",
                    "showlegend": False,  # the page writes the legend (faster than Plotly's)
                    "xaxis": {
                        "type": "date",
                        "range": [f"{min(years)}-01-01", f"{max(years) + 1}-01-01"],
                        "tickformat": "%Y",
                        "dtick": "M12",
                        "ticklabelmode": "period",
                        "fixedrange": True,
                    },
                    "yaxis": {
                        "title": {"text": unit},
                        "exponentformat": "B",
                        "rangemode": "tozero",
                        "fixedrange": True,
                    },
                    "paper_bgcolor": "rgba(0,0,0,0)",
                    "plot_bgcolor": "#fbfbfd",
                },
                "config": {"responsive": True, "displaylogo": False, "displayModeBar": False},
                "points": points,
                "legend": _legend(data),
            }
        )
    return out


def _legend(data: list[dict[str, Any]]) -> list[dict[str, str]]:
    """One entry per trace shown in a legend: name, colour and how it is drawn."""
    out = []
    for trace in data:
        kind = trace["meta"]["kind"]
        if kind == "target-line":
            continue
        marker = trace.get("marker", {})
        color = marker.get("line", {}).get("color") or marker.get("color") or "#555"
        out.append({"name": trace["name"], "color": str(color), "kind": kind})
    return out


LEGEND = [
    (SYMBOLS[b], BOUND_WORDS[b]) for b in ("eq", "approx", "gt", "lt", "range")
]  # the bound markers, for the page's key
