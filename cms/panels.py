from wagtail.admin.panels import Panel
from wagtail.admin.ui.components import Component


class ReviewStatusPanel(Panel):
    """Warns a trainer, at the top of the edit form, that a statistic is past its review date."""

    @property
    def clean_name(self):
        return super().clean_name or "review_status"

    class BoundPanel(Panel.BoundPanel):
        template_name = "cms/panels/review_status.html"

        def is_shown(self):
            instance = self.instance
            return bool(instance and instance.pk and instance.is_past_review)


class StatisticUsagePanel(Panel):
    """Lists, at the top of the edit form, every page and question that shows this statistic, so a
    trainer sees what an edit will change before saving it.

    Pages are found through Wagtail's reference index (lesson blocks store the statistic's id);
    questions through their ``statistic`` foreign key. Two queries, whatever the usage."""

    @property
    def clean_name(self):
        return super().clean_name or "statistic_usage"

    class BoundPanel(Panel.BoundPanel):
        template_name = "cms/panels/statistic_usage.html"

        def is_shown(self):
            return bool(self.instance and self.instance.pk)

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            pages, questions = statistic_usage(self.instance)
            pages_are_lessons = all(page.specific_class_is_lesson for page in pages)
            context.update(
                pages=pages,
                questions=questions,
                pages_are_lessons=pages_are_lessons,
                summary=usage_summary(len(pages), len(questions), pages_are_lessons=pages_are_lessons),
            )
            return context


def usage_summary(page_count, question_count, *, pages_are_lessons=True):
    """'Changing this figure changes these 3 lessons and 2 questions once it is approved.'"""
    if not (page_count or question_count):
        return "No lesson or question uses this statistic yet, so changing it changes nothing learners see."
    page_word = "lesson" if pages_are_lessons else "page"
    parts = [(page_count, page_word), (question_count, "question")]
    parts = [(count, word if count == 1 else f"{word}s") for count, word in parts if count]
    if len(parts) == 2:
        what = " and ".join(f"{count} {word}" for count, word in parts)
    else:
        count, word = parts[0]
        what = f"this {word}" if count == 1 else f"these {count} {word}"
    return f"Changing this figure changes {what} once it is approved."


def statistic_usage(statistic):
    """(pages, questions) that use ``statistic``: pages in tree order, each with ``edit_url`` and
    ``specific_class_is_lesson``; questions in bank order, each with ``edit_url``."""
    from django.contrib.admin.utils import quote
    from django.db.models import IntegerField
    from django.db.models.functions import Cast
    from django.urls import reverse
    from wagtail.models import Page, ReferenceIndex, get_default_page_content_type

    from courses.models import LessonPage
    from quizzes.models import Question

    page_ids = (
        ReferenceIndex.get_references_to(statistic)
        .filter(base_content_type=get_default_page_content_type())
        .annotate(page_id=Cast("object_id", output_field=IntegerField()))
        .values("page_id")
    )
    pages = list(Page.objects.filter(pk__in=page_ids).order_by("path"))
    for page in pages:
        page.edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
        page.specific_class_is_lesson = page.specific_class is LessonPage

    questions = list(Question.objects.filter(statistic=statistic).select_related("lesson"))
    edit_name = Question.snippet_viewset.get_url_name("edit")
    for question in questions:
        question.edit_url = reverse(edit_name, args=[quote(question.pk)])
    return pages, questions


# --- Admin home (dashboard) -------------------------------------------------------------------


class StatisticsReviewHomePanel(Component):
    """Admin home: statistics past their review date, the most overdue first, for those who may
    change statistics. Two queries (the count and the first rows), whatever the number."""

    name = "statistics_past_review"
    template_name = "cms/panels/home_statistics_review.html"
    order = 230
    limit = 10

    @staticmethod
    def is_shown_to(user):
        return user.has_perm("cms.change_statistic")

    def get_context_data(self, parent_context):
        from django.contrib.admin.utils import quote
        from django.urls import reverse
        from django.utils import timezone

        from .models import Statistic

        today = timezone.localdate()
        overdue = Statistic.objects.filter(review_by__lt=today).order_by("review_by", "label", "pk")
        statistics = list(overdue[: self.limit])
        total = overdue.count()
        edit_name = Statistic.snippet_viewset.get_url_name("edit")
        for statistic in statistics:
            statistic.edit_url = reverse(edit_name, args=[quote(statistic.pk)])
            statistic.days_overdue = (today - statistic.review_by).days
        return {
            "statistics": statistics,
            "total": total,
            "more": total - len(statistics),
            "list_url": reverse("cms_statistics_review"),
        }
