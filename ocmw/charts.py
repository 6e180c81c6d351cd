"""Server-rendered, accessible SVG charts: one implementation for every page and report.

Every chart is one ``<svg role="img">`` named by its ``<title>`` and described by a
``<desc>`` that spells out every value, so a screen reader hears the figures
rather than shapes. It is always shown next to a data table with the same
figures (``templates/ocmw/partials/report_section.html``), which is the
accessible, copyable version.

- **No meaning by colour alone**: every value is written as text next to its bar
  or in its cell, and the series of a grouped chart differ by texture (solid,
  stripes, dots) as well as by colour; the legend shows the same swatches.
- **Sizes via the viewBox**: the SVG is 100 % wide and keeps its proportions; it
  is drawn with presentation attributes only (no stylesheet), so it looks the
  same on a page, in an e-mail and in a WeasyPrint PDF.
- Coordinates are written with a dot whatever the language ("12.5"); the values
  shown as text are localised (``number_format``: "12,5" in nl and fr).
- ``key`` makes the element ids of a chart unique on its page (title, desc,
  textures): two charts on one page need two keys.

The functions return ``SafeString`` markup: every label is escaped here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

# Dark enough for 3:1 against white (WCAG 1.4.11, graphical objects).
PALETTE = ["#0b4f8a", "#146c43", "#6c757d", "#8a4b08", "#6f42c1"]
TEXT = "#212529"
MUTED = "#495057"
GRID = "#dee2e6"
FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif\""
# The width of one character of 12px text, for laying out labels (an estimate:
# labels get room for their longest line, and are wrapped before they get too long).
CHAR_WIDTH = 7.0
BAR_CHART_WIDTH = 430.0
# The heat-map steps of a transition matrix, light to dark, with the text colour
# that stays readable on each (contrast 4.5:1 or more).
HEAT = [
    ("#ffffff", MUTED),
    ("#deebf7", TEXT),
    ("#9ecae1", TEXT),
    ("#2171b5", "#ffffff"),
    ("#08306b", "#ffffff"),
]

Number = int | float


# --- small helpers ----------------------------------------------------------------------


def _n(value: float) -> str:
    """An SVG coordinate: a dot as decimal mark whatever the language."""
    return f"{value:.1f}"


def _value_text(value: Number | None, unit: str = "", decimals: int | None = None) -> str:
    """A value as people read it: localised, "—" when unknown."""
    if value is None:
        return "—"
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 1
    text = number_format(round(value, decimals), decimal_pos=decimals)
    return f"{text}{unit}"


def nice_max(value: float) -> int:
    """The top of an axis: four equal steps of 1, 2, 5, 10, 20, 50 ... covering ``value``."""
    step = 1
    while 4 * step < value:
        step = step * 5 // 2 if str(step).startswith("2") else step * 2
    return 4 * step


def wrap(label: str, width: int = 20, lines: int = 3) -> list[str]:
    """Split a label into at most ``lines`` lines of about ``width`` characters."""
    out: list[str] = []
    for word in str(label).split():
        if out and len(out[-1]) + 1 + len(word) <= width:
            out[-1] = f"{out[-1]} {word}"
        else:
            out.append(word)
    if len(out) > lines:
        out = out[: lines - 1] + [" ".join(out[lines - 1 :])]
        if len(out[-1]) > width:
            out[-1] = out[-1][: width - 1] + "…"
    return out or [""]


def _ids(key: str) -> tuple[str, str, str]:
    base = f"chart-{slugify(key) or 'x'}"
    return base, f"{base}-title", f"{base}-desc"


def _open_svg(key: str, width: float, height: float, title: str, desc: str, css_class: str) -> str:
    base, title_id, desc_id = _ids(key)
    classes = " ".join(c for c in ("ocmw-chart", css_class) if c)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{escape(classes)}" id="{base}" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" width="100%" '
        # Never much larger than drawn: the text keeps about the size of the page's.
        f'style="max-width: {_n(width * 1.25)}px; height: auto" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" {FONT}>'
        f'<title id="{title_id}">{escape(title)}</title>'
        f'<desc id="{desc_id}">{escape(desc)}</desc>'
    )


def _textures(key: str, count: int, colours: Sequence[str]) -> tuple[str, list[str]]:
    """``<defs>`` with one fill per series: solid, then stripes, dots, cross-hatch."""
    base = _ids(key)[0]
    defs, fills = [], []
    for index in range(count):
        colour = colours[index % len(colours)]
        texture = index % 4
        if texture == 0:
            fills.append(colour)
            continue
        pattern_id = f"{base}-t{index}"
        if texture == 1:
            marks = '<path d="M0 0V6" stroke="#ffffff" stroke-width="2"/>'
            extra = ' patternTransform="rotate(45)"'
        elif texture == 2:
            marks = '<circle cx="3" cy="3" r="1.3" fill="#ffffff"/>'
            extra = ""
        else:
            marks = '<path d="M0 3H6M3 0V6" stroke="#ffffff" stroke-width="1.2"/>'
            extra = ' patternTransform="rotate(45)"'
        defs.append(
            f'<pattern id="{pattern_id}" width="6" height="6" patternUnits="userSpaceOnUse"{extra}>'
            f'<rect width="6" height="6" fill="{colour}"/>{marks}</pattern>'
        )
        fills.append(f"url(#{pattern_id})")
    return (f"<defs>{''.join(defs)}</defs>" if defs else ""), fills


def _legend(series: Sequence[str], fills: Sequence[str], x0: float, y0: float, max_width: float):
    """Swatches with their labels, wrapped over as many rows as needed."""
    parts, x, y = [], x0, y0
    for label, fill in zip(series, fills, strict=True):
        width = 18 + CHAR_WIDTH * len(str(label)) + 16
        if x > x0 and x + width > x0 + max_width:
            x, y = x0, y + 18
        parts.append(
            f'<rect x="{_n(x)}" y="{_n(y)}" width="12" height="12" fill="{fill}" '
            f'stroke="{TEXT}" stroke-width="0.5"/>'
            f'<text x="{_n(x + 17)}" y="{_n(y + 10)}" font-size="12" fill="{TEXT}">'
            f"{escape(label)}</text>"
        )
        x += width
    return "".join(parts), y + 18 - y0


def _rows_of(values: Sequence, series_count: int) -> list[list[Number | None]]:
    rows = []
    for value in values:
        if isinstance(value, list | tuple):
            rows.append(list(value))
        else:
            rows.append([value])
    if any(len(row) != series_count for row in rows):
        raise ValueError("every row needs one value per series")
    return rows


def summary(
    labels: Sequence[str],
    series: Sequence[str] | None,
    values: Sequence,
    unit: str = "",
) -> str:
    """The ``<desc>`` of a bar chart: every label with its value(s), as text."""
    rows = _rows_of(values, len(series) if series else 1)
    parts = []
    for label, row in zip(labels, rows, strict=True):
        if series and len(series) > 1:
            figures = ", ".join(
                f"{name} {_value_text(value, unit)}"
                for name, value in zip(series, row, strict=True)
            )
            parts.append(f"{label}: {figures}")
        else:
            parts.append(f"{label}: {_value_text(row[0], unit)}")
    return "; ".join(parts)


# --- horizontal bars: simple, grouped or stacked ---------------------------------------------


def bar_chart(
    *,
    key: str,
    title: str,
    labels: Sequence[str],
    values: Sequence,
    series: Sequence[str] | None = None,
    stacked: bool = False,
    unit: str = "",
    max_value: Number | None = None,
    desc: str = "",
    colours: Sequence[str] = PALETTE,
    css_class: str = "",
) -> SafeString:
    """Horizontal bars, one row per label, the label on the left.

    ``values`` holds one number per label, or with ``series`` (several
    measures per label) one list per label: drawn side by side (grouped), or
    end to end with ``stacked``. ``None`` is "no figure": no bar, a dash as text.
    ``unit`` follows each value ("%"); ``max_value`` fixes the axis (100 for a share).
    """
    names = list(series) if series else [""]
    rows = _rows_of(values, len(names))
    grouped = len(names) > 1 and not stacked
    label_lines = [wrap(label, 22, 3) for label in labels]
    longest = max([len(line) for lines in label_lines for line in lines] or [4])
    label_width = min(22, max(6, longest)) * CHAR_WIDTH + 16
    value_room = 50.0
    # Every bar chart is about as wide (the plot takes what the labels leave), so
    # its text has the same size as its neighbours' once scaled to the column.
    plot_width = max(160.0, BAR_CHART_WIDTH - label_width - value_room)
    left = label_width
    width = left + plot_width + value_room

    defs, fills = _textures(key, len(names), colours)
    top = 8.0
    legend = ""
    if len(names) > 1:
        legend, legend_height = _legend(names, fills, left, top, plot_width + value_room)
        top += legend_height + 4

    bar_height = 14.0 if grouped else 18.0
    band = (bar_height * len(names) if grouped else bar_height) + 12
    band = max(band, 14.0 * max((len(lines) for lines in label_lines), default=1) + 8)
    plot_height = band * max(len(labels), 1)
    bottom = top + plot_height
    totals = [sum(v for v in row if v is not None) if stacked else None for row in rows]
    biggest = max(
        [t for t in totals if t is not None] + [v for row in rows for v in row if v is not None]
        or [0]
    )
    axis_top = max_value if max_value is not None else nice_max(math.ceil(biggest))
    axis_top = axis_top or 1

    def x_of(value: float) -> float:
        return left + plot_width * min(value, axis_top) / axis_top

    parts = [defs, legend]
    for step in range(5):
        tick = axis_top * step / 4
        x = x_of(tick)
        parts.append(
            f'<line x1="{_n(x)}" x2="{_n(x)}" y1="{_n(top)}" y2="{_n(bottom)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{_n(x)}" y="{_n(bottom + 14)}" font-size="11" fill="{MUTED}" '
            f'text-anchor="middle">{_value_text(tick, unit if max_value == 100 else "")}</text>'
        )
    for index, (label, lines, row) in enumerate(zip(labels, label_lines, rows, strict=True)):
        band_top = top + index * band
        centre = band_top + band / 2
        first_y = centre - 7 * (len(lines) - 1) + 4
        tspans = "".join(
            f'<tspan x="{_n(left - 8)}" y="{_n(first_y + 14 * i)}">{escape(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        parts.append(f'<text font-size="12" fill="{TEXT}" text-anchor="end">{tspans}</text>')
        if stacked:
            x, y = left, centre - bar_height / 2
            for name, value, fill in zip(names, row, fills, strict=True):
                if not value:
                    continue
                bar = plot_width * value / axis_top
                parts.append(
                    f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(bar)}" height="{_n(bar_height)}" '
                    f'fill="{fill}" stroke="#ffffff" stroke-width="1">'
                    f"<title>{escape(label)}, {escape(name)}: "
                    f"{_value_text(value, unit)}</title></rect>"
                )
                x += bar
            parts.append(
                f'<text x="{_n(x + 4)}" y="{_n(centre + 4)}" font-size="12" font-weight="600" '
                f'fill="{TEXT}">{_value_text(totals[index], unit)}</text>'
            )
            continue
        y = centre - (bar_height * len(names) if grouped else bar_height) / 2
        for name, value, fill in zip(names, row, fills, strict=True):
            bar = 0.0 if value is None else x_of(value) - left
            text = f"{label}, {name}" if name else label
            if bar > 0:
                parts.append(
                    f'<rect x="{_n(left)}" y="{_n(y + 1)}" width="{_n(bar)}" '
                    f'height="{_n(bar_height - 2)}" fill="{fill}">'
                    f"<title>{escape(text)}: {_value_text(value, unit)}</title></rect>"
                )
            parts.append(
                f'<text x="{_n(left + bar + 4)}" y="{_n(y + bar_height / 2 + 4)}" '
                f'font-size="{11 if grouped else 12}" font-weight="600" fill="{TEXT}">'
                f"{_value_text(value, unit)}</text>"
            )
            y += bar_height
    parts.append(
        f'<line x1="{_n(left)}" x2="{_n(left)}" y1="{_n(top)}" y2="{_n(bottom)}" '
        f'stroke="{MUTED}" stroke-width="1.5"/>'
    )
    height = bottom + 22
    description = desc or summary(labels, series, values, unit)
    return mark_safe(  # noqa: S308 - every label and text is escaped above
        _open_svg(key, width, height, title, description, css_class) + "".join(parts) + "</svg>"
    )


# --- vertical grouped bars (columns) ---------------------------------------------------------


def column_chart(
    *,
    key: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[str],
    values: Sequence[Sequence[Number]],
    desc: str = "",
    colours: Sequence[str] = PALETTE,
    css_class: str = "",
) -> SafeString:
    """Vertical bars grouped per label (one bar per series), legend above, value on
    each bar, labels wrapped under their group. Suits a few groups (up to ~6)."""
    rows = _rows_of(values, len(series))
    left, plot_width, plot_height = 34.0, 380.0, 160.0
    defs, fills = _textures(key, len(series), colours)
    legend, legend_height = _legend(series, fills, left, 4, plot_width)
    top = 4 + legend_height + 8
    bottom = top + plot_height
    axis_top = nice_max(max([v or 0 for row in rows for v in row] or [0]))
    group_width = plot_width / max(len(rows), 1)
    bar_width = group_width * 0.78 / max(len(series), 1)
    parts = [defs, legend]
    for step in range(5):
        y = bottom - plot_height * step / 4
        parts.append(
            f'<line x1="{_n(left)}" x2="{_n(left + plot_width)}" y1="{_n(y)}" y2="{_n(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{_n(left - 6)}" y="{_n(y + 4)}" font-size="12" fill="{MUTED}" '
            f'text-anchor="end">{_value_text(axis_top * step // 4)}</text>'
        )
    for index, (label, row) in enumerate(zip(labels, rows, strict=True)):
        x0 = left + index * group_width + group_width * 0.11
        for position, (name, value, fill) in enumerate(zip(series, row, fills, strict=True)):
            height = plot_height * (value or 0) / axis_top
            x = x0 + position * bar_width
            parts.append(
                f'<rect x="{_n(x)}" y="{_n(bottom - height)}" width="{_n(bar_width - 3)}" '
                f'height="{_n(height)}" fill="{fill}"><title>{escape(label)}: {escape(name)} '
                f"{_value_text(value)}</title></rect>"
                f'<text x="{_n(x + (bar_width - 3) / 2)}" y="{_n(bottom - height - 4)}" '
                f'font-size="11" font-weight="600" fill="{TEXT}" text-anchor="middle">'
                f"{_value_text(value)}</text>"
            )
        centre = left + (index + 0.5) * group_width
        tspans = "".join(
            f'<tspan x="{_n(centre)}" dy="{0 if i == 0 else 14}">{escape(line)}</tspan>'
            for i, line in enumerate(wrap(label, 18))
        )
        parts.append(
            f'<text y="{_n(bottom + 16)}" font-size="12" fill="{TEXT}" '
            f'text-anchor="middle">{tspans}</text>'
        )
    parts.append(
        f'<line x1="{_n(left)}" x2="{_n(left + plot_width)}" y1="{_n(bottom)}" '
        f'y2="{_n(bottom)}" stroke="{MUTED}" stroke-width="1.5"/>'
    )
    description = desc or summary(labels, series, values)
    return mark_safe(  # noqa: S308 - every label and text is escaped above
        _open_svg(key, left + plot_width + 8, bottom + 46, title, description, css_class)
        + "".join(parts)
        + "</svg>"
    )


# --- transition matrix (heat map) ------------------------------------------------------------


def transition_matrix(
    *,
    key: str,
    title: str,
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    counts: Sequence[Sequence[int]],
    row_axis: str = "",
    column_axis: str = "",
    impossible: set[tuple[int, int]] | frozenset = frozenset(),
    outlined: set[tuple[int, int]] | frozenset = frozenset(),
    legend: str = "",
    desc: str = "",
    css_class: str = "",
) -> SafeString:
    """A grid of counts, rows "from" and columns "to", darker for more.

    Every cell shows its count as text; ``impossible`` cells (e.g. a phase to
    itself) are hatched grey with a dash; ``outlined`` cells get a heavy border
    (e.g. the ordinary next step), so the reading does not rest on colour.
    ``legend`` is a line of text under the grid explaining the layout.
    """
    n_rows, n_cols = len(row_labels), len(column_labels)
    if len(counts) != n_rows or any(len(row) != n_cols for row in counts):
        raise ValueError("counts must have one row per row label and one cell per column")
    row_lines = [wrap(label, 20, 3) for label in row_labels]
    longest = max([len(line) for lines in row_lines for line in lines] or [4])
    label_width = min(20, longest) * CHAR_WIDTH + 16
    cell_h = max(30.0, 13.0 * max((len(lines) for lines in row_lines), default=1) + 5)
    column_lines = [wrap(label, 6, 2) for label in column_labels]
    # A column is as wide as its heading needs ("Closed"), and at least 34.
    widths = [
        max(34.0, max(len(line) for line in lines) * CHAR_WIDTH + 8) for lines in column_lines
    ]
    header_lines = max((len(lines) for lines in column_lines), default=1)
    left = label_width
    xs = [left + sum(widths[:j]) for j in range(n_cols)]
    top = 22.0 + 13 * header_lines
    width = left + sum(widths) + 8
    bottom = top + cell_h * n_rows
    biggest = max([c for row in counts for c in row] or [0])
    base = _ids(key)[0]
    parts = [
        f'<defs><pattern id="{base}-none" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#f1f3f5"/>'
        f'<path d="M0 0V6" stroke="#ced4da" stroke-width="1.5"/></pattern></defs>'
    ]
    if column_axis:
        parts.append(
            f'<text x="{_n(left)}" y="12" font-size="12" font-weight="600" fill="{TEXT}">'
            f"{escape(column_axis)} →</text>"
        )
    if row_axis:
        parts.append(
            f'<text x="{_n(left - 8)}" y="{_n(top - 6)}" font-size="12" font-weight="600" '
            f'fill="{TEXT}" text-anchor="end">{escape(row_axis)} ↓</text>'
        )
    for j, lines in enumerate(column_lines):
        centre = xs[j] + widths[j] / 2
        first_y = top - 6 - 13 * (len(lines) - 1)
        tspans = "".join(
            f'<tspan x="{_n(centre)}" y="{_n(first_y + 13 * k)}">{escape(line)}</tspan>'
            for k, line in enumerate(lines)
        )
        parts.append(f'<text font-size="12" fill="{TEXT}" text-anchor="middle">{tspans}</text>')
    for i, (label, lines, row) in enumerate(zip(row_labels, row_lines, counts, strict=True)):
        y = top + cell_h * i
        first_y = y + cell_h / 2 + 4 - 6.5 * (len(lines) - 1)
        tspans = "".join(
            f'<tspan x="{_n(left - 8)}" y="{_n(first_y + 13 * k)}">{escape(line)}</tspan>'
            for k, line in enumerate(lines)
        )
        parts.append(f'<text font-size="12" fill="{TEXT}" text-anchor="end">{tspans}</text>')
        for j, count in enumerate(row):
            x, w = xs[j], widths[j]
            if (i, j) in impossible:
                parts.append(
                    f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(cell_h)}" '
                    f'fill="url(#{base}-none)" stroke="{GRID}"/>'
                    f'<text x="{_n(x + w / 2)}" y="{_n(y + cell_h / 2 + 4)}" '
                    f'font-size="12" fill="{MUTED}" text-anchor="middle">—</text>'
                )
                continue
            level = 0 if not count or not biggest else 1 + min(3, int(4 * (count - 1) / biggest))
            fill, ink = HEAT[level]
            parts.append(
                f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(cell_h)}" '
                f'fill="{fill}" stroke="{GRID}"><title>{escape(label)} → '
                f"{escape(column_labels[j])}: {_value_text(count)}</title></rect>"
                f'<text x="{_n(x + w / 2)}" y="{_n(y + cell_h / 2 + 4)}" font-size="12" '
                f'font-weight="{600 if count else 400}" fill="{ink}" text-anchor="middle">'
                f"{_value_text(count)}</text>"
            )
    for i, j in sorted(outlined):
        parts.append(
            f'<rect x="{_n(xs[j] + 1)}" y="{_n(top + cell_h * i + 1)}" '
            f'width="{_n(widths[j] - 2)}" height="{_n(cell_h - 2)}" fill="none" '
            f'stroke="{TEXT}" stroke-width="2"/>'
        )
    height = bottom + 8
    if legend:
        legend_lines = wrap(legend, int((width - 8) / CHAR_WIDTH), 4)
        tspans = "".join(
            f'<tspan x="4" y="{_n(bottom + 18 + 15 * i)}">{escape(line)}</tspan>'
            for i, line in enumerate(legend_lines)
        )
        parts.append(f'<text font-size="12" fill="{MUTED}">{tspans}</text>')
        height = bottom + 12 + 15 * len(legend_lines)
    description = desc or "; ".join(
        f"{row_label} → {column_labels[j]}: {count}"
        for row_label, row in zip(row_labels, counts, strict=True)
        for j, count in enumerate(row)
        if count
    )
    return mark_safe(  # noqa: S308 - every label and text is escaped above
        _open_svg(key, width, height, title, description, css_class) + "".join(parts) + "</svg>"
    )


def several(*charts: str) -> SafeString:
    """Several charts as one block, one under the other (the ``chart_svg`` of a
    section that needs more than one picture)."""
    cells = "".join(f"<div>{chart}</div>" for chart in charts if chart)
    return mark_safe(f'<div class="d-grid gap-3 ocmw-charts">{cells}</div>')  # noqa: S308
