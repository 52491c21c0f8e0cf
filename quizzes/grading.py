"""Drawing a paper and grading it. Pure functions over plain data; services do the saving."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from .statistic_choices import statistic_options


class AnswerError(Exception):
    """The submitted answers do not belong to this attempt (tampering, not a learner's slip)."""


def draw_questions(pool, count, rng):
    """Pick ``count`` questions so every topic (lesson) is covered once before any repeats.

    If there are more topics than ``count``, one question from every topic is drawn anyway."""
    by_topic = {}
    for question in pool:
        by_topic.setdefault(question.lesson_id, []).append(question)
    drawn = [rng.choice(questions) for questions in by_topic.values()]
    rest = [q for q in pool if q not in drawn]
    rng.shuffle(rest)
    drawn += rest[: max(count - len(drawn), 0)]
    rng.shuffle(drawn)
    return drawn


def question_options(question):
    """[(ref, text, is_correct)] for any kind of question."""
    if question.is_statistics_question:
        return statistic_options(question.statistic)
    if question.kind == question.Kind.TRUE_FALSE:
        return [
            ("true", "True", question.true_false_answer is True),
            ("false", "False", question.true_false_answer is False),
        ]
    return [(f"c{choice.pk}", choice.text, choice.is_correct) for choice in question.choices.all()]


def statistic_context(statistic):
    return {
        "value": statistic.display_value,
        "period": statistic.period,
        "geography": statistic.geography,
        "label": statistic.label,
    }


def paper_entry(question, rng):
    """How one question is frozen into an attempt: text as shown, options shuffled, keys random."""
    stem, explanation = question.stem, question.explanation
    source_title, source_url = question.source_title, question.source_url
    if question.is_statistics_question:
        statistic = question.statistic
        context = statistic_context(statistic)
        stem, explanation = stem.format(**context), explanation.format(**context)
        source_title, source_url = statistic.source_title, statistic.source_url
    options = question_options(question)
    if question.kind != question.Kind.TRUE_FALSE:
        rng.shuffle(options)
    return {
        "question": question.pk,
        "kind": question.kind,
        "lesson": question.lesson_id,
        "stem": stem,
        "explanation": explanation,
        "source_title": source_title,
        "source_url": source_url,
        "options": [
            {"key": secrets.token_urlsafe(6), "ref": ref, "text": text, "correct": correct}
            for ref, text, correct in options
        ],
    }


def read_answers(paper, data):
    """Check submitted form ``data`` (a QueryDict) against the paper.

    Returns (answers, missing): answers maps position -> chosen keys; missing lists the positions
    left unanswered. Raises AnswerError for keys that are not this question's options."""
    answers, missing = {}, []
    for position, entry in enumerate(paper):
        chosen = data.getlist(f"q{position}")
        keys = {option["key"] for option in entry["options"]}
        if any(key not in keys for key in chosen) or len(set(chosen)) != len(chosen):
            raise AnswerError(f"Question {position + 1} has an answer that is not one of its choices.")
        if entry["kind"] != "multiple" and len(chosen) > 1:
            raise AnswerError(f"Question {position + 1} takes one answer.")
        if chosen:
            answers[str(position)] = chosen
        else:
            missing.append(position)
    return answers, missing


@dataclass(frozen=True)
class Mark:
    position: int
    entry: dict
    chosen: list
    is_correct: bool

    @property
    def chosen_refs(self):
        return [o["ref"] for o in self.entry["options"] if o["key"] in self.chosen]

    @property
    def chosen_texts(self):
        return [o["text"] for o in self.entry["options"] if o["key"] in self.chosen]

    @property
    def correct_texts(self):
        return [o["text"] for o in self.entry["options"] if o["correct"]]


def mark_paper(paper, answers):
    """All or nothing per question: the chosen set must equal the set of right options."""
    marks = []
    for position, entry in enumerate(paper):
        chosen = answers.get(str(position), [])
        right = {o["key"] for o in entry["options"] if o["correct"]}
        marks.append(Mark(position, entry, chosen, set(chosen) == right))
    return marks


def score_percent(marks):
    return round(100 * sum(m.is_correct for m in marks) / len(marks)) if marks else 0


@dataclass(frozen=True)
class AttemptWindow:
    remaining: int
    available_at: object  # a datetime when remaining is 0, else None


def attempt_window(submitted_times, *, limit, cooldown_hours, reset_at, now):
    """How many attempts are open now. ``limit`` attempts, then a cooldown, then ``limit`` more.

    Attempts submitted before ``reset_at`` (staff or a manager allowed more) do not count."""
    cooldown = timedelta(hours=cooldown_hours)
    used, last = 0, None
    for submitted in sorted(t for t in submitted_times if reset_at is None or t > reset_at):
        if used == limit and submitted >= last + cooldown:
            used = 0
        used += 1
        last = submitted
    if used < limit:
        return AttemptWindow(remaining=limit - used, available_at=None)
    if now >= last + cooldown:
        return AttemptWindow(remaining=limit, available_at=None)
    return AttemptWindow(remaining=0, available_at=last + cooldown)
