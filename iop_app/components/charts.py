"""Frames (from services/progress.py and services/reports.py) -> small plotly figures.

Figures are built in cached computed vars and re-sent on state changes, so they
are kept small: `template=None` (no 10 KB theme), few traces, small margins, and
a horizontal legend under the plot that fits a 375 px phone.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

COLORS = {
    "mood": "#2f6fb3",
    "anxiety": "#b35a2f",
    "craving": "#8a2fb3",
    "sleep_hours": "#2f9e6f",
    "hours": "#2f6fb3",
    "target": "#c0392b",
    "use": "#c0392b",
}
LABELS = {"mood": "Mood", "anxiety": "Anxiety", "craving": "Craving", "sleep_hours": "Sleep (hours)"}
AVG_COLUMNS = {"mood": "mood_avg7", "anxiety": "anxiety_avg7", "craving": "craving_avg7", "sleep_hours": "sleep_avg7"}


def _layout(fig: go.Figure, title: str, height: int = 300, y_title: str = "") -> go.Figure:
    fig.update_layout(
        template=None,
        title={"text": title, "font": {"size": 14}} if title else None,
        height=height,
        margin={"l": 36, "r": 8, "t": 36 if title else 8, "b": 8},
        legend={"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0, "font": {"size": 11}},
        paper_bgcolor="white",
        plot_bgcolor="white",
        font={"family": "system-ui, sans-serif", "size": 12},
        hovermode="x unified",
    )
    fig.update_xaxes(showgrid=False, linecolor="#999")
    fig.update_yaxes(gridcolor="#e5e5e5", zeroline=False, title_text=y_title or None)
    return fig


def _clean(values) -> list:
    """Plain floats with None for NaN (smaller JSON than numpy arrays)."""
    out = []
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)) or pd.isna(v):
            out.append(None)
        else:
            out.append(round(float(v), 2))
    return out


def _days(frame: pd.DataFrame, column: str) -> list[str]:
    return [pd.Timestamp(d).strftime("%Y-%m-%d") for d in frame[column]]


def trend_figure(frame: pd.DataFrame, metrics=("mood", "anxiety", "craving"), title: str = "") -> go.Figure:
    """A line per metric's 7-day average, faint daily points, and a marker on days
    with reported substance use. `frame` is progress.checkin_frame's output."""
    fig = go.Figure()
    if frame is None or frame.empty:
        return _layout(fig, title or "No check-ins yet")
    days = _days(frame, "day")
    top = 0.0
    for metric in metrics:
        color = COLORS.get(metric, "#555")
        label = LABELS.get(metric, metric)
        daily = _clean(frame[metric])
        top = max([top, *[v for v in daily if v is not None]])
        fig.add_trace(go.Scatter(x=days, y=daily, mode="markers", name=f"{label} (daily)",
                                 marker={"color": color, "size": 5, "opacity": 0.35}, showlegend=False,
                                 hovertemplate=f"{label}: %{{y}}<extra></extra>"))
        fig.add_trace(go.Scatter(x=days, y=_clean(frame[AVG_COLUMNS[metric]]), mode="lines",
                                 name=f"{label} 7-day avg", line={"color": color, "width": 2.5},
                                 connectgaps=True, hovertemplate=f"{label} 7-day: %{{y:.1f}}<extra></extra>"))
    used = frame[frame["used_substance"].astype(bool)]
    if not used.empty:
        y = max(10.0, top) + 0.5
        fig.add_trace(go.Scatter(x=_days(used, "day"), y=[y] * len(used), mode="markers", name="Reported use",
                                 marker={"symbol": "x", "size": 10, "color": COLORS["use"]},
                                 hovertemplate="Reported use<extra></extra>"))
    return _layout(fig, title)


def hours_figure(hours: float, target: float, title: str = "Hours this week") -> go.Figure:
    """One bar (hours so far) against a line at the weekly target."""
    color = COLORS["hours"] if hours >= target else "#e0a020"
    fig = go.Figure(go.Bar(x=[round(float(hours), 2)], y=["Hours"], orientation="h", marker={"color": color},
                           text=[f"{hours:g} of {target:g} h"], textposition="auto", name="Hours",
                           hovertemplate="%{x} hours<extra></extra>"))
    fig.add_vline(x=target, line={"color": COLORS["target"], "dash": "dash", "width": 2})
    fig.update_xaxes(range=[0, max(float(target), float(hours)) * 1.15])
    fig = _layout(fig, title, height=140)
    fig.update_layout(showlegend=False)
    return fig


def weekly_hours_figure(frame: pd.DataFrame, title: str = "Hours of services per week") -> go.Figure:
    """Bars of hours per week (progress.weekly_hours_frame) and the target as a line."""
    fig = go.Figure()
    if frame is None or frame.empty:
        return _layout(fig, title)
    weeks = _days(frame, "week_start")
    fig.add_trace(go.Bar(x=weeks, y=_clean(frame["hours"]), name="Hours", marker={"color": COLORS["hours"]},
                         hovertemplate="Week of %{x}: %{y} h<extra></extra>"))
    fig.add_trace(go.Scatter(x=weeks, y=_clean(frame["target"]), mode="lines", name="Target",
                             line={"color": COLORS["target"], "dash": "dash"}))
    return _layout(fig, title, y_title="hours")


def rate_figure(frame: pd.DataFrame, x: str, title: str, rate: str = "rate") -> go.Figure:
    """A 0-100 % line of an attendance rate (rate column holds 0..1)."""
    fig = go.Figure()
    if frame is None or frame.empty:
        return _layout(fig, title)
    xs = _days(frame, x) if pd.api.types.is_datetime64_any_dtype(frame[x]) else [str(v) for v in frame[x]]
    ys = [None if v is None else round(v * 100, 1) for v in _clean(frame[rate])]
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines+markers", name="Attendance %", connectgaps=False,
                             line={"color": COLORS["mood"]}, hovertemplate="%{x}: %{y}%<extra></extra>"))
    fig.update_yaxes(range=[0, 105])
    return _layout(fig, title, y_title="%")


def bar_figure(frame: pd.DataFrame, x: str, y: str, title: str = "", color: str | None = None) -> go.Figure:
    """A plain bar chart of frame[y] by frame[x]."""
    fig = go.Figure()
    if frame is None or frame.empty:
        return _layout(fig, title)
    xs = _days(frame, x) if pd.api.types.is_datetime64_any_dtype(frame[x]) else [str(v) for v in frame[x]]
    fig.add_trace(go.Bar(x=xs, y=_clean(frame[y]), name=y, marker={"color": color or COLORS["hours"]}))
    fig = _layout(fig, title)
    fig.update_layout(showlegend=False)
    return fig


def line_figure(frame: pd.DataFrame, x: str, y: str, title: str = "", group: str | None = None) -> go.Figure:
    """Lines of frame[y] by frame[x], one per value of `group` (e.g. goal progress)."""
    fig = go.Figure()
    if frame is None or frame.empty:
        return _layout(fig, title)
    parts = frame.groupby(group, sort=False) if group else [("", frame)]
    for name, part in parts:
        xs = _days(part, x) if pd.api.types.is_datetime64_any_dtype(part[x]) else [str(v) for v in part[x]]
        fig.add_trace(go.Scatter(x=xs, y=_clean(part[y]), mode="lines+markers", name=str(name) or y))
    return _layout(fig, title)


def empty_figure(title: str = "") -> go.Figure:
    return _layout(go.Figure(), title)
