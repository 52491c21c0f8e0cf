"""Admin home (dashboard) panel: questions that item analysis flags, for those who edit questions.

Item analysis reads every response row in Python (about 0.3 to 0.8 s for 20,000 responses on
SQLite here), so the panel keeps its result in the cache under a fingerprint of the responses
(their number and the newest id in the window): a dashboard load costs two small queries until a
learner submits another attempt, and the full analysis (five queries) after that."""

import datetime

from django.contrib.admin.utils import quote
from django.core.cache import cache
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.ui.components import Component

from .analysis import FLAG_NEGATIVE, FLAG_TOO_EASY, FLAG_TOO_HARD, MIN_ATTEMPTS, item_analysis
from .models import Attempt, Question, Response

# Flags about how learners answer (each needs MIN_ATTEMPTS answers). A statistic past its review
# date has its own panel (cms.panels.StatisticsReviewHomePanel).
PERFORMANCE_FLAGS = (FLAG_NEGATIVE, FLAG_TOO_HARD, FLAG_TOO_EASY)
# Only recent attempts: last year's answers say most about the questions as they are now.
WINDOW_DAYS = 365
CACHE_SECONDS = 60 * 60


def window_responses(since):
    """Responses of attempts submitted on or after the date ``since``."""
    start = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    return Response.objects.filter(attempt__status=Attempt.Status.SUBMITTED, attempt__submitted_at__gte=start)


def flagged_questions(since):
    """[(question id, attempts, facility %, performance flags)] of the questions with a
    performance flag over the responses since ``since``, the most answered first. Cached until
    the responses change (or for an hour)."""
    responses = window_responses(since)
    fingerprint = responses.aggregate(count=Count("pk"), last=Max("pk"))
    key = f"quizzes:home-flagged:{since:%Y%m%d}:{fingerprint['count']}:{fingerprint['last']}"
    flagged = cache.get(key)
    if flagged is None:
        flagged = []
        for stats in item_analysis(responses):
            flags = [flag for flag in stats.flags if flag in PERFORMANCE_FLAGS]
            if flags:
                flagged.append((stats.question.pk, stats.attempts, stats.facility_percent, flags))
        flagged.sort(key=lambda entry: (-entry[1], entry[0]))
        cache.set(key, flagged, CACHE_SECONDS)
    return flagged


class FlaggedQuestionsHomePanel(Component):
    """Admin home: questions that learners find too easy or too hard, or that stronger learners
    get wrong more often (negative discrimination), over the last 12 months."""

    name = "flagged_questions"
    template_name = "quizzes/panels/home_flagged_questions.html"
    order = 235
    limit = 10

    @staticmethod
    def is_shown_to(user):
        return user.has_perm("quizzes.change_question")

    def get_context_data(self, parent_context):
        since = timezone.localdate() - datetime.timedelta(days=WINDOW_DAYS)
        flagged = flagged_questions(since)
        first = flagged[: self.limit]
        questions = Question.objects.in_bulk([question_id for question_id, *_ in first])
        edit_name = Question.snippet_viewset.get_url_name("edit")
        rows = [
            {
                "question": questions[question_id],
                "edit_url": reverse(edit_name, args=[quote(question_id)]),
                "attempts": attempts,
                "facility_percent": facility_percent,
                "flags": "; ".join(flags),
            }
            for question_id, attempts, facility_percent, flags in first
            if question_id in questions  # deleted since the analysis was cached
        ]
        return {
            "rows": rows,
            "total": len(flagged),
            "more": len(flagged) - len(rows),
            "since": since,
            "min_attempts": MIN_ATTEMPTS,
            "report_url": reverse("quizzes_item_analysis") + f"?submitted_from={since:%Y-%m-%d}",
        }
