"""Bar charts drawn on the server as inline SVG: no JavaScript, a text alternative, and
readable on a 360 px phone.

The chart is 100 % of its container's width and a fixed height in CSS pixels. It has no
viewBox of its own, because a viewBox scales the text with the width (too small to read on a
phone, huge on a laptop): x positions are percentages instead, and only the bars sit in a
nested SVG whose viewBox is stretched over the plot (preserveAspectRatio="none"), so a bar's
height is its value itself. The text keeps the page's font and size everywhere.

Colours: the Content-Security-Policy (style-src 'self') forbids style attributes, and a
presentation attribute cannot hold var(); so each part has a class for site.css to colour
from its variables (.chart-bar { fill: var(--brand) }) and, as the fallback, a presentation
attribute with the colour site.css gives that variable. Text is currentColor.
"""

import hashlib
from collections.abc import Callable, Sequence

from flask_babel import gettext as _
from markupsafe import Markup, escape

from shop.money import format_rupiah

BRAND, LINE, HALO = "#0b6b3a", "#d5dbd8", "#fff"  # --brand, --line, --card in site.css
FONT_PX = 13
# Label room is worked out for the narrowest screen we serve: 360 px less the page padding.
NARROWEST_PX = 320
CHAR_PX = 7.5  # an average character at FONT_PX
LABEL_GAP_PX = 12
AXIS_LABEL_CHARS = 12  # longer labels under columns are cut short (the table has them whole)

# Columns: a line for the top value, the plot, a line of labels under it.
TOP_PX, PLOT_PX, LABELS_PX = 22, 150, 28
SLOT = 10  # user units per column in the plot's viewBox; the bar fills 8 of them
# Rows (horizontal): a line with the name and the value, the bar under it.
ROW_PX, ROW_BAR_PX = 46, 14


def bar_chart(
    bars: Sequence[tuple[str, int]],
    title: str,
    description: str,
    value_label: Callable[[int], str] = format_rupiah,
    *,
    horizontal: bool = False,
    axis_labels: Sequence[str] | None = None,
    chart_id: str | None = None,
    empty_text: str | None = None,
) -> Markup:
    """An accessible SVG bar chart of (label, value) pairs, values >= 0.

    Columns over time by default (axis_labels: shorter labels for under the columns, e.g.
    "10 Nov" for "10 November 2026"; a few of them are shown when there are many columns);
    horizontal=True draws one labelled row per bar, for rankings with long names. The SVG's
    <title> is title; its <desc> is description followed by a summary of the figures (total,
    highest bar). With no bar above zero it says empty_text instead of drawing bars.
    """
    chart_id = escape(
        chart_id
        or "chart-"
        + hashlib.sha1(f"{title}\0{description}".encode(), usedforsecurity=False).hexdigest()[:8]
    )
    values = [max(0, int(value)) for _label, value in bars]
    summary = _summary(bars, value_label) if any(values) else ""
    if horizontal:
        body, height = _rows(bars, values, value_label)
    else:
        labels = [label for label, _value in bars] if axis_labels is None else list(axis_labels)
        if len(labels) != len(bars):
            raise ValueError("one axis label per bar")
        body, height = _columns(bars, values, labels, value_label)
    if not any(values):
        # Columns that are all zero keep their baseline and dates: the message goes above them.
        middle = TOP_PX + PLOT_PX // 2 if height else ROW_PX
        height = height or 2 * ROW_PX
        body.append(_text(empty_text or _("Nothing to show yet."), "50%", middle, anchor="middle"))
    # Every piece of text in the SVG went through escape() (_text, the title and desc above);
    # numbers and ids are ours.
    return Markup(  # nosec B704
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="100%" height="{height}"'
        f' role="img" aria-labelledby="{chart_id}-title {chart_id}-desc"'
        f' font-size="{FONT_PX}" fill="currentColor">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(" ".join(filter(None, [description, summary])))}'
        f"</desc>{''.join(body)}</svg>"
    )


def _summary(bars: Sequence[tuple[str, int]], value_label: Callable[[int], str]) -> str:
    label, highest = max(bars, key=lambda bar: bar[1])  # the first of equals
    return _(
        "Total: %(total)s. Highest: %(label)s, %(value)s.",
        total=value_label(sum(value for _label, value in bars)),
        label=label,
        value=value_label(highest),
    )


def _columns(bars, values: list[int], labels: list[str], value_label) -> tuple[list[str], int]:
    count = len(values)
    if not count:
        return [], 0  # bar_chart says there is nothing to show
    top = _nice_ceiling(max(values))
    width = count * SLOT
    # Grid lines at the top and, when it is a whole number, halfway; none when all are zero.
    grid = ([top, top // 2] if top % 2 == 0 else [top]) if any(values) else []
    parts = [
        f'<svg class="chart-plot" x="0" y="{TOP_PX}" width="100%" height="{PLOT_PX}"'
        f' viewBox="0 0 {width} {top}" preserveAspectRatio="none" overflow="visible">'
    ]
    for level in [0, *grid]:
        parts.append(
            f'<line class="chart-grid" x1="0" x2="{width}" y1="{top - level}" y2="{top - level}"'
            f' stroke="{LINE}" vector-effect="non-scaling-stroke"/>'
        )
    for index, ((label, _value), value) in enumerate(zip(bars, values, strict=True)):
        if value:
            parts.append(
                f'<rect class="chart-bar" x="{index * SLOT + 1}" y="{top - value}"'
                f' width="{SLOT - 2}" height="{value}" fill="{BRAND}">'
                f"<title>{escape(label)}: {escape(value_label(value))}</title></rect>"
            )
    parts.append("</svg>")
    for level in grid:  # the value of each grid line, just above it
        y = TOP_PX + round(PLOT_PX * (1 - level / top)) - 4
        parts.append(_text(value_label(level), "0", y, halo=True))
    parts.extend(_axis_labels(labels))
    return parts, TOP_PX + PLOT_PX + LABELS_PX


def _axis_labels(labels: list[str]) -> list[str]:
    """As many labels as fit side by side on the narrowest screen, spread evenly."""
    count = len(labels)
    shown = [_shortened(label, AXIS_LABEL_CHARS) for label in labels]
    longest = max(len(label) for label in shown)
    fitting = max(1, int(NARROWEST_PX // (longest * CHAR_PX + LABEL_GAP_PX)))
    y = TOP_PX + PLOT_PX + LABELS_PX - 8
    if count <= fitting:
        return [
            _text(label, _percent((index + 0.5) / count), y, anchor="middle")
            for index, label in enumerate(shown)
        ]
    if fitting == 1:
        picked = [0]
    else:
        picked = sorted({round(step * (count - 1) / (fitting - 1)) for step in range(fitting)})
    texts = []
    for index in picked:
        # The outermost labels line up with their column's outer edge, so none is cut off.
        if index == 0:
            x, anchor = _percent(index / count), "start"
        elif index == count - 1:
            x, anchor = _percent((index + 1) / count), "end"
        else:
            x, anchor = _percent((index + 0.5) / count), "middle"
        texts.append(_text(shown[index], x, y, anchor=anchor))
    return texts


def _rows(bars, values: list[int], value_label) -> tuple[list[str], int]:
    highest = max(values, default=0)
    if not highest:
        return [], 0  # bar_chart says there is nothing to show
    parts = []
    for index, ((label, _value), value) in enumerate(zip(bars, values, strict=True)):
        top = index * ROW_PX
        shown_value = value_label(value)
        room = int((NARROWEST_PX - len(shown_value) * CHAR_PX - LABEL_GAP_PX) // CHAR_PX)
        parts.append(_text(_shortened(label, max(8, room)), "0", top + 16))
        parts.append(_text(shown_value, "100%", top + 16, anchor="end"))
        if value:
            parts.append(
                f'<rect class="chart-bar" x="0" y="{top + 22}"'
                f' width="{_percent(value / highest)}" height="{ROW_BAR_PX}" fill="{BRAND}">'
                f"<title>{escape(label)}: {escape(shown_value)}</title></rect>"
            )
    return parts, len(values) * ROW_PX


def _text(text: str, x: str, y: int, anchor: str = "start", halo: bool = False) -> str:
    # The halo, a stroke under the letters, keeps a grid value readable over a bar.
    outline = (
        f' class="chart-text chart-halo" stroke="{HALO}" stroke-width="3"'
        ' stroke-linejoin="round" paint-order="stroke"'
        if halo
        else ' class="chart-text"'
    )
    return f'<text x="{x}" y="{y}" text-anchor="{anchor}"{outline}>{escape(text)}</text>'


def _percent(fraction: float) -> str:
    return f"{fraction * 100:.3f}".rstrip("0").rstrip(".") + "%"


def _shortened(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"


def _nice_ceiling(value: int) -> int:
    """The smallest 1, 2, 2.5 or 5 times a power of ten that is >= value (>= 1), so the grid
    lines fall on round amounts."""
    scale = 1
    while True:
        for step in (1, 2, 5) if scale < 10 else (1, 2, 2.5, 5):
            if step * scale >= value:
                return int(step * scale)
        scale *= 10
