"""The quiz item analysis report in the Wagtail admin (Reports menu), exportable as CSV and XLSX."""

import datetime

import django_filters
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.views.reports import ReportView
from wagtail.permission_policies import ModelPermissionPolicy

from cms.reporting import neutralise_formula

from .analysis import MIN_ATTEMPTS, item_analysis
from .models import Attempt, Question, QuizPage, Response


class ItemAnalysisFilterSet(WagtailFilterSet):
    quiz = django_filters.ModelChoiceFilter(
        label="Quiz",
        field_name="attempt__quiz",
        empty_label="All quizzes",
        queryset=lambda request: QuizPage.objects.order_by("path"),
    )
    submitted = django_filters.DateFromToRangeFilter(
        label="Submitted", field_name="attempt__submitted_at", widget=DateRangePickerWidget
    )

    class Meta:
        model = Response
        fields = []


class ItemAnalysisReportView(ReportView):
    """One row per question answered in submitted attempts (filtered by quiz and date)."""

    title = page_title = "Quiz item analysis"
    header_icon = "help"
    results_template_name = "quizzes/reports/item_analysis_results.html"
    filterset_class = ItemAnalysisFilterSet
    index_url_name = "quizzes_item_analysis"
    index_results_url_name = "quizzes_item_analysis_results"
    permission_policy = ModelPermissionPolicy(Question)
    any_permission_required = ["change"]
    paginate_by = 100
    verbose_name_plural = "answered questions"
    list_export = [
        "stem",
        "topic",
        "attempts",
        "facility_percent",
        "discrimination_rounded",
        "choice_counts_text",
        "flags_text",
    ]
    export_headings = {
        "stem": "Question",
        "topic": "Topic (lesson)",
        "attempts": "Attempts",
        "facility_percent": "Facility (%)",
        "discrimination_rounded": "Discrimination",
        "choice_counts_text": "Choices picked",
        "flags_text": "Flags",
    }

    def get_queryset(self):
        return Response.objects.filter(attempt__status=Attempt.Status.SUBMITTED)

    def get_filtered_queryset(self):
        return item_analysis(self.filter_queryset(self.get_queryset()))

    def get_filename(self):
        return "quiz-item-analysis-{}".format(datetime.date.today().strftime("%Y-%m-%d"))

    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        if export_format == self.FORMAT_CSV:
            value = neutralise_formula(value)
        return value

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["min_attempts"] = MIN_ATTEMPTS
        return context
