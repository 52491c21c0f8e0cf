"""Layout of the server-rendered SVG bar charts used by StatisticChartBlock.

The template draws what this computes; nothing here touches the database."""

import textwrap
from dataclasses import dataclass

WIDTH = 320  # drawn at about this size on a phone, so its text stays readable
LABEL_CHARS = 36
LINE_HEIGHT = 18
BAR_HEIGHT = 20
ROW_GAP = 14
VALUE_SPACE = 76  # room to the right of the longest bar for its value


@dataclass(frozen=True)
class Bar:
    statistic: object
    label: str
    label_lines: list
    y: int
    bar_y: int
    width: float
    value_x: float


@dataclass(frozen=True)
class Chart:
    bars: list
    width: int
    height: int
    shared_period: str
    shared_geography: str
    sources: list  # (title, url) pairs, each once, in the order the bars cite them


def bar_label(statistic, *, same_label, same_period):
    if same_label:
        return statistic.period
    if same_period:
        return statistic.label
    return f"{statistic.label}, {statistic.period}"


def bar_chart(statistics):
    """Horizontal bars scaled to the largest value, each with its label above it."""
    statistics = list(statistics)
    if not statistics:
        return Chart(bars=[], width=WIDTH, height=0, shared_period="", shared_geography="", sources=[])
    same_label = len({s.label for s in statistics}) == 1
    same_period = len({s.period for s in statistics}) == 1
    same_geography = len({s.geography for s in statistics}) == 1
    largest = max(s.value for s in statistics) or 1
    bars, y = [], 0
    for statistic in statistics:
        label = bar_label(statistic, same_label=same_label, same_period=same_period)
        lines = textwrap.wrap(label, LABEL_CHARS) or [""]
        bar_y = y + LINE_HEIGHT * len(lines) + 4
        width = max(float(statistic.value / largest) * (WIDTH - VALUE_SPACE), 2.0)
        bars.append(
            Bar(
                statistic=statistic,
                label=label,
                label_lines=[(line, y + LINE_HEIGHT * (i + 1) - 4) for i, line in enumerate(lines)],
                y=y,
                bar_y=bar_y,
                width=round(width, 1),
                value_x=round(width + 6, 1),
            )
        )
        y = bar_y + BAR_HEIGHT + ROW_GAP
    return Chart(
        bars=bars,
        width=WIDTH,
        height=y - ROW_GAP,
        shared_period=statistics[0].period if same_period else "",
        shared_geography=statistics[0].geography if same_geography else "",
        sources=list(dict.fromkeys((s.source_title, s.source_url) for s in statistics)),
    )
