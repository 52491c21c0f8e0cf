"""Item analysis: how each question in the bank performs, from the graded Response rows.

Three queries whatever the number of attempts (the response rows; the questions with their
statistic and topic; their choices, prefetched); the statistics are computed in Python.

* facility: the share of responses that were right (0..1).
* discrimination: Moodle's discrimination index, the Pearson correlation between the item score
  (0 or 1) and the score on the rest of the attempt (the other questions answered right), over
  the attempts that included the question. Positive when stronger learners get it right more
  often; negative suggests a misleading question or a wrong answer key.
"""

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .grading import question_options
from .models import Attempt, Question, Response

MIN_ATTEMPTS = 5
TOO_EASY = 0.9
TOO_HARD = 0.3

FLAG_TOO_EASY = "Too easy"
FLAG_TOO_HARD = "Too hard"
FLAG_NEGATIVE = "Negative discrimination"
FLAG_PAST_REVIEW = "Statistic past review date"

# How each computed option of a statistics question reads in the report (see statistic_choices).
STATISTIC_OPTION_LABELS = {
    "s:value": "The figure (right answer)",
    "s:tenth": "A tenth of the figure",
    "s:third": "A third of the figure",
    "s:half": "Half the figure",
    "s:one-and-a-half": "One and a half times the figure",
    "s:double": "Double the figure",
    "s:tenfold": "Ten times the figure",
    "s:plus-15": "The figure plus 15 points",
    "s:plus-30": "The figure plus 30 points",
    "s:minus-15": "The figure minus 15 points",
    "s:minus-30": "The figure minus 30 points",
    "s:minus-45": "The figure minus 45 points",
}
TRUE_FALSE_LABELS = {"true": "True", "false": "False"}


@dataclass
class ItemStats:
    question: Question
    attempts: int
    correct: int
    facility: float
    discrimination: float | None
    choice_counts: list = field(default_factory=list)
    flags: list = field(default_factory=list)

    # Plain values for the report and its CSV/XLSX export.
    @property
    def stem(self):
        return self.question.stem

    @property
    def topic(self):
        return self.question.lesson.title

    @property
    def facility_percent(self):
        return round(100 * self.facility)

    @property
    def discrimination_rounded(self):
        return None if self.discrimination is None else round(self.discrimination, 2)

    @property
    def choice_counts_text(self):
        return "; ".join(f"{label}: {count}" for label, count in self.choice_counts)

    @property
    def flags_text(self):
        return "; ".join(self.flags)


def pearson(pairs):
    """Pearson correlation of [(x, y)] integer pairs; None when undefined (n < 2 or no variance)."""
    n = len(pairs)
    if n < 2:
        return None
    sx = sum(x for x, _ in pairs)
    sy = sum(y for _, y in pairs)
    sxx = sum(x * x for x, _ in pairs)
    syy = sum(y * y for _, y in pairs)
    sxy = sum(x * y for x, y in pairs)
    # Integer sums until the last step, so "no variance" is exactly zero.
    covariance = n * sxy - sx * sy
    variance_x = n * sxx - sx * sx
    variance_y = n * syy - sy * sy
    if variance_x == 0 or variance_y == 0:
        return None
    return covariance / math.sqrt(variance_x * variance_y)


def option_label(question, ref, texts):
    if ref in texts:
        return texts[ref]
    if ref in TRUE_FALSE_LABELS:
        return TRUE_FALSE_LABELS[ref]
    return STATISTIC_OPTION_LABELS.get(ref, ref)


def choice_counts(question, counts):
    """[(label, count)]: every current option of the question in order, then any other ref seen."""
    if question.is_statistics_question:
        refs, texts = [ref for ref, _text, _correct in question_options(question)], {}
    elif question.kind == Question.Kind.TRUE_FALSE:
        refs, texts = ["true", "false"], {}
    else:
        choices = list(question.choices.all())
        refs = [f"c{choice.pk}" for choice in choices]
        texts = {f"c{choice.pk}": choice.text for choice in choices}
    refs += [ref for ref in counts if ref not in refs]
    return [(option_label(question, ref, texts), counts.get(ref, 0)) for ref in refs]


def flags_for(stats):
    flags = []
    if stats.attempts >= MIN_ATTEMPTS:
        if stats.facility > TOO_EASY:
            flags.append(FLAG_TOO_EASY)
        if stats.facility < TOO_HARD:
            flags.append(FLAG_TOO_HARD)
        if stats.discrimination is not None and stats.discrimination < 0:
            flags.append(FLAG_NEGATIVE)
    statistic = stats.question.statistic
    if statistic is not None and statistic.is_past_review:
        flags.append(FLAG_PAST_REVIEW)
    return flags


def item_analysis(responses=None, *, quiz=None, date_from=None, date_to=None):
    """Per-question statistics (a list of ItemStats, in question bank order) for the responses
    of submitted attempts, optionally for one quiz and a range of submission dates (inclusive).

    ``responses`` is a Response queryset to start from (all responses by default)."""
    if responses is None:
        responses = Response.objects.all()
    responses = responses.filter(attempt__status=Attempt.Status.SUBMITTED)
    if quiz is not None:
        responses = responses.filter(attempt__quiz=quiz)
    if date_from is not None:
        responses = responses.filter(attempt__submitted_at__date__gte=date_from)
    if date_to is not None:
        responses = responses.filter(attempt__submitted_at__date__lte=date_to)
    rows = list(responses.order_by().values_list("attempt_id", "question_id", "chosen", "is_correct"))

    attempt_totals = Counter()
    by_question = defaultdict(list)
    for attempt_id, question_id, chosen, is_correct in rows:
        attempt_totals[attempt_id] += bool(is_correct)
        by_question[question_id].append((attempt_id, chosen or [], bool(is_correct)))
    if not by_question:
        return []

    questions = (
        Question.objects.filter(pk__in=list(by_question))
        .select_related("statistic", "lesson")
        .prefetch_related("choices")
    )
    results = []
    for question in questions:
        answers = by_question[question.pk]
        attempts = len(answers)
        correct = sum(is_correct for _, _, is_correct in answers)
        # item score against the rest of the attempt's score
        pairs = [(int(ok), attempt_totals[attempt_id] - int(ok)) for attempt_id, _, ok in answers]
        counts = Counter(ref for _, chosen, _ in answers for ref in chosen)
        stats = ItemStats(
            question=question,
            attempts=attempts,
            correct=correct,
            facility=correct / attempts,
            discrimination=pearson(pairs),
            choice_counts=choice_counts(question, counts),
        )
        stats.flags = flags_for(stats)
        results.append(stats)
    return results
