"""Bar charts for the exception report (issue 15, item 5): exceptions per rule and per team,
drawn here as inline SVG (no script, no style sheet, nothing from the network), every label
escaped."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from markupsafe import Markup, escape

_LABEL: Final = 300  # px for the labels
_BARS: Final = 360  # px for the longest bar
_ROW: Final = 26
_MAX_LABEL: Final = 38  # characters; a longer label is cut, and whole in its <title>


def _cut(text: str) -> str:
    return text if len(text) <= _MAX_LABEL else text[: _MAX_LABEL - 1] + "\u2026"


def bar_chart(
    chart_id: str, title: str, bars: Sequence[tuple[str, int, str]], colour: str = "#1d70b8"
) -> Markup:
    """A horizontal bar chart: one bar per (label, count, severity or ""), the longest the
    largest count. Blocker bars are red, advisory bars amber, others `colour`."""
    if not bars:
        return Markup("")
    most = max(count for _, count, _ in bars) or 1
    height = _ROW * len(bars) + 8
    width = _LABEL + _BARS + 60
    fills = {"blocker": "#b10e1e", "advisory": "#8f4300"}
    parts = [
        f'<svg id="{escape(chart_id)}" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="{escape(chart_id)}-title">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
    ]
    for i, (label, count, severity) in enumerate(bars):
        y = 4 + i * _ROW
        length = max(2, round(_BARS * count / most)) if count else 0
        fill = fills.get(severity, colour)
        parts.append(
            f'<g class="bar" data-label="{escape(label)}" data-count="{count}">'
            f"<title>{escape(label)}: {count}</title>"
            f'<text x="{_LABEL - 8}" y="{y + 16}" text-anchor="end" font-size="13" '
            f'fill="#0b0c0c">{escape(_cut(label))}</text>'
            f'<rect x="{_LABEL}" y="{y + 3}" width="{length}" height="{_ROW - 8}" fill="{fill}"/>'
            f'<text x="{_LABEL + length + 6}" y="{y + 16}" font-size="13" '
            f'fill="#0b0c0c">{count}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
