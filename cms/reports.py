"""The "Statistics due for review" report in the Wagtail admin (Reports menu), with CSV and XLSX.

By default it lists every statistic past its review date; a "Review by" range shows those due
in it instead (for example the next month). Each row says where the statistic is used: the pages
(lessons) and questions that refer to it, from Wagtail's reference index, read in one query for
the whole page of results."""

import datetime

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils import timezone
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.views.reports import ReportView
from wagtail.models import Page, ReferenceIndex
from wagtail.permission_policies import ModelPermissionPolicy

from .models import Statistic
from .reporting import FormulaSafeExportMixin


def _modules(request):
    from courses.models import ModulePage

    return ModulePage.objects.order_by("path")


class StatisticsReviewFilterSet(WagtailFilterSet):
    review_by = django_filters.DateFromToRangeFilter(
        label="Review by",
        widget=DateRangePickerWidget,
        help_text="Leave empty for every statistic past its review date.",
    )
    module = django_filters.ModelChoiceFilter(
        label="Used in module", empty_label="All modules", queryset=_modules, method="filter_module"
    )

    class Meta:
        model = Statistic
        fields = []

    def filter_module(self, queryset, name, module):
        """Statistics that a page in the module (a lesson), or a question on one, refers to."""
        from quizzes.models import Question

        pages = Page.objects.filter(path__startswith=module.path).annotate(key=Cast("pk", CharField()))
        referred = ReferenceIndex.objects.filter(
            to_content_type=ContentType.objects.get_for_model(Statistic),
            base_content_type=ContentType.objects.get_for_model(Page),
            object_id__in=pages.values("key"),
        ).values("to_object_id")
        asked = Question.objects.filter(lesson__path__startswith=module.path).values("statistic_id")
        return queryset.annotate(key=Cast("pk", CharField())).filter(Q(key__in=referred) | Q(pk__in=asked))


def add_usage(statistics):
    """Set ``used_pages`` and ``used_questions`` (titles and stems, sorted) on each statistic: three queries
    (the references, the pages' titles, the questions' stems) for any number of statistics."""
    from quizzes.models import Question

    statistics = list(statistics)
    page_type = ContentType.objects.get_for_model(Page)
    question_type = ContentType.objects.get_for_model(Question)
    references = (
        ReferenceIndex.get_references_to_in_bulk(statistics)
        .filter(base_content_type__in=[page_type, question_type])
        .order_by()
        .values_list("to_object_id", "base_content_type_id", "object_id")
        .distinct()
    )
    by_statistic = {}
    wanted = {page_type.pk: set(), question_type.pk: set()}
    for statistic_id, content_type_id, object_id in references:
        by_statistic.setdefault(statistic_id, []).append((content_type_id, object_id))
        wanted[content_type_id].add(object_id)
    names = {
        page_type.pk: dict(Page.objects.filter(pk__in=wanted[page_type.pk]).values_list("pk", "title")),
        question_type.pk: dict(
            Question.objects.filter(pk__in=wanted[question_type.pk]).values_list("pk", "stem")
        ),
    }
    for statistic in statistics:
        used = by_statistic.get(str(statistic.pk), [])
        statistic.used_pages, statistic.used_questions = (
            sorted(
                names[type_id][int(object_id)]
                for type_id, object_id in used
                if type_id == kind and int(object_id) in names[type_id]
            )
            for kind in (page_type.pk, question_type.pk)
        )
    return statistics


class StatisticsReviewReportView(FormulaSafeExportMixin, ReportView):
    """Statistics past (or coming up to) their review date, and where each one is used."""

    title = page_title = "Statistics due for review"
    header_icon = "table"
    results_template_name = "cms/reports/statistics_review_results.html"
    filterset_class = StatisticsReviewFilterSet
    index_url_name = "cms_statistics_review"
    index_results_url_name = "cms_statistics_review_results"
    permission_policy = ModelPermissionPolicy(Statistic)
    any_permission_required = ["change"]
    paginate_by = 100
    verbose_name_plural = "statistics due for review"
    list_export = [
        "label",
        "display_value",
        "period",
        "review_by",
        "days_overdue",
        "pages_text",
        "questions_text",
    ]
    export_headings = {
        "label": "Statistic",
        "display_value": "Figure",
        "period": "Period",
        "review_by": "Review by",
        "days_overdue": "Days overdue",
        "pages_text": "Used in pages",
        "questions_text": "Used in questions",
    }

    def get_queryset(self):
        return Statistic.objects.order_by("review_by", "label", "pk")

    def get_filtered_queryset(self):
        queryset = self.filter_queryset(self.get_queryset())
        filters = self.filters
        chosen = (
            filters.form.cleaned_data.get("review_by") if filters is not None and filters.is_valid() else None
        )
        if not chosen or (chosen.start is None and chosen.stop is None):
            queryset = queryset.filter(review_by__lt=timezone.localdate())
        return queryset

    def decorate_paginated_queryset(self, object_list):
        today = timezone.localdate()
        statistics = add_usage(object_list)
        for statistic in statistics:
            statistic.days_overdue = max(0, (today - statistic.review_by).days)
            statistic.pages_text = "; ".join(statistic.used_pages)
            statistic.questions_text = "; ".join(statistic.used_questions)
        return statistics

    def get_filename(self):
        return f"statistics-due-for-review-{datetime.date.today():%Y-%m-%d}"
