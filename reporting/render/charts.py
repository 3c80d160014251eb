"""Server-side SVG charts for the report: plain strings, drawn the same on screen and in the PDF."""

import math
from html import escape

from ..tables import MonthlyCounts, Section

WIDTH = 640
FONT = "IPAexGothic, 'Noto Sans CJK JP', 'Noto Sans JP', sans-serif"
INK, MUTED, GRID = "#1a1a1a", "#4d4d4d", "#d8d8db"
BAR = "#0017c1"
# Okabe–Ito hues (distinguishable with the common colour-vision deficiencies), each at least
# 3:1 against white; every other series is hatched as well, so neighbours never rely on hue alone.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#1A1A1A")
OTHER_COLOUR = "#767676"
# A row's path in a bar label: IPAexGothic (the PDF's one font) has ＞ but not ▸, which would
# pull a second font family (DejaVu Sans) into the PDF for one glyph.
PATH_SEPARATOR = "＞"
OTHER = "その他"
# Several small series merged: named apart from a category's own その他 row (§4 has one), which
# is merged into it. A single series left over keeps its own name.
MERGED = "上記以外の方法"
EMPTY = "該当する記録はありません"
SHOWN_SERIES = 5


def _text_width(text: str, size: float) -> float:
    """A rough width: full-width characters take 1em, the others about 0.6em."""
    return sum(size if ord(char) > 0x2E7F else size * 0.6 for char in text)


def _n(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _text(x, y, text, size=14, anchor="start", weight="normal", fill=INK) -> str:
    # Bold by the page's CSS on screen (report.css), not in the PDF: IPAexGothic has no bold face.
    bold = ' class="chart-strong"' if weight != "normal" else ""
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{size}" text-anchor="{anchor}"{bold} fill="{fill}">'
        f"{escape(text)}</text>"
    )


def _svg(chart_id: str, title: str, description: str, height: float, content: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" id="{chart_id}" role="img"'
        f' aria-label="{escape(title)}" viewBox="0 0 {WIDTH} {_n(height)}" width="{WIDTH}" height="{_n(height)}"'
        f' font-family="{escape(FONT)}">'
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>" + "".join(content) + "</svg>"
    )


def _empty(chart_id: str, title: str) -> str:
    return _svg(
        chart_id,
        title,
        EMPTY,
        120,
        [
            _text(0, 20, title, size=17, weight="bold"),
            f'<rect x="0.5" y="36.5" width="{WIDTH - 1}" height="76" fill="#f8f8fb" stroke="{GRID}"/>',
            _text(WIDTH / 2, 80, EMPTY, size=15, anchor="middle", fill=MUTED),
        ],
    )


def _nice_step(top: int, ticks: int = 5) -> int:
    """A round step (1, 2 or 5 times a power of ten) giving about `ticks` intervals up to `top`."""
    raw = max(top / ticks, 1)
    power = 10 ** math.floor(math.log10(raw))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= raw)


def _top_series(series) -> list[tuple[str, tuple[int, ...]]]:
    """The biggest series in order of size, the rest merged into one series (kept last)."""
    ranked = sorted((s for s in series if sum(s[1]) and s[0] != OTHER), key=lambda s: -sum(s[1]))
    rest = ranked[SHOWN_SERIES:] + [s for s in series if s[0] == OTHER and sum(s[1])]
    if len(rest) == 1:
        return ranked[:SHOWN_SERIES] + rest
    shown = ranked[:SHOWN_SERIES]
    if rest:
        shown.append((MERGED, tuple(map(sum, zip(*(counts for _, counts in rest))))))
    return shown


def _fills(chart_id: str, labels: list[str]) -> tuple[list[str], str]:
    """One fill per series (a colour, hatched for every other one) and the <defs> holding the hatches."""
    fills, patterns = [], []
    for index, label in enumerate(labels):
        colour = OTHER_COLOUR if label in (OTHER, MERGED) else PALETTE[index % len(PALETTE)]
        if index % 2 == 0:
            fills.append(colour)
            continue
        pattern_id = f"{chart_id}-hatch-{index}"
        patterns.append(
            f'<pattern id="{pattern_id}" width="6" height="6" patternUnits="userSpaceOnUse"'
            f' patternTransform="rotate(45)"><rect width="6" height="6" fill="{colour}"/>'
            f'<rect width="2" height="6" fill="#ffffff"/></pattern>'
        )
        fills.append(f"url(#{pattern_id})")
    return fills, f"<defs>{''.join(patterns)}</defs>" if patterns else ""


def _legend(labels: list[str], fills: list[str], top: float) -> tuple[list[str], float]:
    """Legend items in the stacking order, wrapped over as many lines as needed; returns its height."""
    items, x, y = [], 0.0, top
    for label, fill in zip(labels, fills):
        width = 20 + _text_width(label, 14) + 18
        if x and x + width > WIDTH:
            x, y = 0.0, y + 22
        items.append(
            f'<rect x="{_n(x)}" y="{_n(y)}" width="14" height="14" fill="{fill}" stroke="{INK}" stroke-width="0.5"/>'
        )
        items.append(_text(x + 20, y + 12, label))
        x += width
    return items, y + 22 - top


def monthly_methods_svg(monthly: MonthlyCounts) -> str:
    """A stacked bar per month of the logs by method, the biggest methods shown, the rest merged."""
    chart_id, title = "report-chart-methods", "月別の相談・支援・活動方法（延べ件数）"
    series = _top_series(monthly.series)
    if not monthly.months or not series:
        return _empty(chart_id, title)
    labels = [label for label, _ in series]
    fills, defs = _fills(chart_id, labels)
    legend, legend_height = _legend(labels, fills, 34)
    totals = [sum(counts[month] for _, counts in series) for month in range(len(monthly.months))]
    step = _nice_step(max(totals))
    top = step * math.ceil(max(totals) / step)
    left, right, plot_top, plot_height = 40, 8, 34 + legend_height + 14, 170
    base = plot_top + plot_height
    band = (WIDTH - left - right) / len(monthly.months)
    content = [defs, _text(0, 20, title, size=17, weight="bold"), *legend]
    for tick in range(0, top + 1, step):
        y = base - plot_height * tick / top
        content.append(
            f'<line x1="{left}" y1="{_n(y)}" x2="{WIDTH - right}" y2="{_n(y)}" stroke="{GRID}" stroke-width="1"/>'
        )
        content.append(_text(left - 6, y + 4, str(tick), size=13, anchor="end", fill=MUTED))
    for month, (month_label, total) in enumerate(zip(monthly.months, totals)):
        x, y = left + band * month + band * 0.2, base
        for fill, (_, counts) in zip(fills, series):
            height = plot_height * counts[month] / top
            if height:
                y -= height
                content.append(
                    f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(band * 0.6)}" height="{_n(height)}"'
                    f' fill="{fill}" stroke="#ffffff" stroke-width="1"/>'
                )
        content.append(_text(x + band * 0.3, y - 5, str(total), anchor="middle", weight="bold"))
        content.append(_text(x + band * 0.3, base + 20, month_label, anchor="middle"))
    content.append(f'<line x1="{left}" y1="{base}" x2="{WIDTH - right}" y2="{base}" stroke="{INK}" stroke-width="1"/>')
    description = (
        "、".join(f"{label} {sum(counts)}件" for label, counts in series)
        + "。月別の合計："
        + "、".join(f"{month} {total}件" for month, total in zip(monthly.months, totals))
    )
    return _svg(chart_id, title, description, base + 30, content)


def _bar_label(path: tuple[str, ...]) -> str:
    return PATH_SEPARATOR.join(path)


def top_activities_svg(section: Section, limit: int = 10) -> str:
    """Horizontal bars of the section's most frequent rows (its first numeric column), biggest first."""
    chart_id = "report-chart-activities"
    key = section.keys[0]
    rows = sorted((row for row in section.rows if row.values[key]), key=lambda row: -row.values[key])[:limit]
    title = f"{section.title} 上位{len(rows) or limit}項目"
    if not rows:
        return _empty(chart_id, title)
    biggest, item_height, top = rows[0].values[key], 38, 34
    content = [_text(0, 20, title, size=17, weight="bold")]
    for index, row in enumerate(rows):
        y = top + item_height * index
        length = (WIDTH - 48) * row.values[key] / biggest
        content.append(_text(0, y + 14, _bar_label(row.path), size=15))
        content.append(f'<rect x="0" y="{y + 19}" width="{_n(length)}" height="14" fill="{BAR}"/>')
        content.append(_text(length + 6, y + 31, str(row.values[key]), weight="bold"))
    description = "、".join(f"{_bar_label(row.path)} {row.values[key]}件" for row in rows)
    return _svg(chart_id, title, description, top + item_height * len(rows) + 4, content)
