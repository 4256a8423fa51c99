"""Measure trend charts as plain plotly dicts: each measure's totals over time with its
severity bands shaded, reliable change and response marked, and the diary's mood and
craving (7-day averages, 0-10) on a second axis beside them.

Built as dicts and wrapped with `go.Figure(..., _validate=False)`: graph_objects
validation costs ~100 ms a figure, the dicts are already in plotly's schema, and a
state builds them once per data change (a cached computed var).
"""

from __future__ import annotations

import plotly.graph_objects as go

from ..services import measure_trends, measures

# Light fills from the mildest band to the most severe (a band's colour says how severe,
# its label says which: colour is never the only cue).
BAND_FILLS = ("#e7f5ec", "#f3f7dc", "#fdf3d7", "#fde4cf", "#fad4d0", "#f5c2c7")
TOTAL_COLOR = "#1f4e8c"
DIARY = {"mood_avg7": ("Mood (diary, 7-day)", "#2f6fb3"), "craving_avg7": ("Craving (diary, 7-day)", "#8a2fb3")}


def _fill(index: int, count: int) -> str:
    if count <= 1:
        return BAND_FILLS[0]
    return BAND_FILLS[round(index * (len(BAND_FILLS) - 1) / (count - 1))]


def chart_data(trends: measure_trends.Trends) -> tuple[dict[str, list[dict]], list[dict]]:
    """A Trends (services/measure_trends.py) as trend_figure's `points` per measure, in
    the instruments' order, and its `diary`: plain dicts a state keeps in backend vars."""
    order = list(measures.DEFINITIONS)
    points = {code: [{"day": p.day.isoformat(), "total": p.total, "band": p.band,
                      "reliable_change": p.reliable_change, "response": p.response} for p in trends.points[code]]
              for code in sorted(trends.points, key=order.index)}
    diary = [{"day": day.isoformat(), "mood_avg7": mood, "craving_avg7": craving}
             for day, mood, craving in zip(trends.diary_days, trends.mood_avg7, trends.craving_avg7, strict=True)]
    return points, diary


def trend_figure(code: str, points: list[dict], diary: list[dict], height: int = 280,
                 short_title: bool = False) -> go.Figure:
    """`points`: {"day": "YYYY-MM-DD", "total", "band", "reliable_change", "response"} oldest
    first; `diary`: {"day", "mood_avg7", "craving_avg7"}. `short_title`: the measure's short
    name only (a 375 px phone has no room for the full title)."""
    instrument = measures.definition(code)
    low, high = (instrument.total.low, instrument.total.high) if instrument.total else (0, 1)
    shapes, annotations = [], []
    for index, band in enumerate(instrument.bands):
        top = instrument.bands[index + 1].low if index + 1 < len(instrument.bands) else high
        shapes.append({"type": "rect", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": band.low, "y1": top,
                       "fillcolor": _fill(index, len(instrument.bands)), "line": {"width": 0}, "layer": "below"})
        annotations.append({"xref": "paper", "x": 0.005, "xanchor": "left", "yref": "y", "y": (band.low + top) / 2,
                            "text": band.label, "showarrow": False, "font": {"size": 10, "color": "#555"}})
    days = [p["day"] for p in points]
    data = [{"type": "scatter", "mode": "lines+markers", "name": f"{instrument.name} total", "x": days,
             "y": [p["total"] for p in points], "line": {"color": TOTAL_COLOR, "width": 2.5},
             "marker": {"size": 7, "color": TOTAL_COLOR},
             "customdata": [p["band"] for p in points],
             "hovertemplate": "%{x}: %{y} (%{customdata})<extra></extra>"}]
    for key, name, symbol, color in (("reliable_change", "Reliable change", "star", "#1a7f37"),
                                     ("response", "Response (50% drop)", "diamond-open", "#0b6e4f")):
        marked = [p for p in points if p.get(key)]
        if marked:
            data.append({"type": "scatter", "mode": "markers", "name": name, "x": [p["day"] for p in marked],
                         "y": [p["total"] for p in marked],
                         "marker": {"symbol": symbol, "size": 15 if symbol == "star" else 17, "color": color,
                                    "line": {"width": 2, "color": color}},
                         "hovertemplate": f"{name}<extra></extra>"})
    first_day = days[0] if days else None
    for column, (name, color) in DIARY.items():
        shown = [d for d in diary if d.get(column) is not None and (first_day is None or d["day"] >= first_day)]
        if shown:
            data.append({"type": "scatter", "mode": "lines", "name": name, "yaxis": "y2",
                         "x": [d["day"] for d in shown], "y": [round(d[column], 2) for d in shown],
                         "line": {"color": color, "width": 1.5, "dash": "dot"}, "connectgaps": True,
                         "hovertemplate": f"{name}: %{{y:.1f}}<extra></extra>"})
    layout = {
        "title": {"text": instrument.name if short_title else f"{instrument.name}: {instrument.title}",
                  "font": {"size": 14}},
        "height": height,
        "margin": {"l": 36, "r": 36, "t": 36, "b": 8},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0, "font": {"size": 11}},
        "paper_bgcolor": "white", "plot_bgcolor": "white",
        "font": {"family": "system-ui, sans-serif", "size": 12},
        "hovermode": "x unified",
        "xaxis": {"showgrid": False, "linecolor": "#999", "type": "date"},
        "yaxis": {"range": [low, high], "gridcolor": "rgba(0,0,0,0.06)", "zeroline": False,
                  "title": {"text": "score"}},
        "yaxis2": {"range": [0, 10.5], "overlaying": "y", "side": "right", "showgrid": False, "zeroline": False,
                   "title": {"text": "diary 0-10"}},
        "shapes": shapes,
        "annotations": annotations,
    }
    return go.Figure({"data": data, "layout": layout}, _validate=False)


def summary(code: str, points: list[dict]) -> str:
    """The chart in words (for screen readers and anyone who prefers words)."""
    instrument = measures.definition(code)
    if not points:
        return f"{instrument.name}: no responses yet."
    first, last = points[0], points[-1]
    text = (f"{instrument.name}: {len(points)} responses; first {first['total']:g} ({first['band'] or 'no band'}) "
            f"on {first['day']}, latest {last['total']:g} ({last['band'] or 'no band'}) on {last['day']}.")
    if any(p.get("reliable_change") for p in points):
        text += " Reliable change reached."
    if any(p.get("response") for p in points):
        text += " Response (a 50% drop) reached."
    return text
