"""The answer options of a statistics question, computed from the statistic's current value.

The right option is the figure itself; the wrong ones are plausible mistakes of magnitude (a
tenth, half, double) for counts, or of size for percentages. Nothing here reads the database."""

from decimal import ROUND_HALF_UP, Decimal

from cms.models import Statistic, format_figure

COUNT_DISTRACTORS = [
    ("tenth", Decimal("0.1")),
    ("half", Decimal("0.5")),
    ("double", Decimal("2")),
    ("tenfold", Decimal("10")),
]
PERCENT_DISTRACTORS = [
    ("half", lambda v: v / 2),
    ("one-and-a-half", lambda v: v * Decimal("1.5")),
    ("double", lambda v: v * 2),
    ("minus-30", lambda v: v - 30),
    ("plus-30", lambda v: v + 30),
    ("third", lambda v: v / 3),
    ("plus-15", lambda v: v + 15),
    ("minus-15", lambda v: v - 15),
    ("minus-45", lambda v: v - 45),
]
WRONG_OPTIONS = 3
SIGNIFICANT_FIGURES = 3


def round_significant(value, figures=SIGNIFICANT_FIGURES):
    """Round to ``figures`` significant figures, never below a whole number."""
    if value == 0:
        return value
    exponent = max(value.adjusted() - figures + 1, 0)
    quantum = Decimal(1).scaleb(exponent)
    return (value / quantum).quantize(Decimal(1), rounding=ROUND_HALF_UP) * quantum


def statistic_options(statistic):
    """[(ref, text, is_correct)]: the right figure first, then up to WRONG_OPTIONS wrong ones.

    Counts are all shown to the same precision (three significant figures, whole numbers), so
    the right answer does not stand out as the only exact one; the stem asks "about how many"."""
    value = statistic.value
    if statistic.unit == Statistic.Unit.PERCENT:
        right = value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        gap = max(Decimal(3), right * Decimal("0.25"))
        candidates = [
            (name, make(right).quantize(Decimal(1), rounding=ROUND_HALF_UP))
            for name, make in PERCENT_DISTRACTORS
        ]
        candidates = [(name, v) for name, v in candidates if 0 < v < 100 and abs(v - right) >= gap]
    else:
        right = round_significant(value)
        candidates = [(name, round_significant(value * factor)) for name, factor in COUNT_DISTRACTORS]
        candidates = [(name, v) for name, v in candidates if v >= 1]
    options = [("s:value", format_figure(right, statistic.unit), True)]
    chosen = [right]
    for name, candidate in candidates:
        if all(abs(candidate - other) >= max(Decimal(2), abs(other) * Decimal("0.2")) for other in chosen):
            chosen.append(candidate)
            options.append((f"s:{name}", format_figure(candidate, statistic.unit), False))
        if len(options) == WRONG_OPTIONS + 1:
            break
    return options
