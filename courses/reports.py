"""The "Enrolments and completions" report in the Wagtail admin (Reports menu), with CSV and XLSX.

One row per month, module and provider: enrolments made, modules started and completed, quiz
attempts submitted and passed. Each figure is counted in the month its own event happened, and
the learner's seat (providers.SeatAssignment for that learner and module) says which provider a
row belongs to. Counted in the database: the same six queries however many rows there are."""

import datetime
from dataclasses import dataclass

import django_filters
from django.db.models import Count, DateField, F, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.views.reports import ReportView
from wagtail.permission_policies import ModelPermissionPolicy

from cms.reporting import FormulaSafeExportMixin
from providers.models import Provider, SeatAssignment
from quizzes.models import Attempt

from .models import Enrolment, ModulePage

NO_PROVIDER = "No provider (staff grant or demo)"


def keep_all(queryset, name, value):
    """The report reads these filters itself: each one applies to several kinds of row."""
    return queryset


class EnrolmentActivityFilterSet(WagtailFilterSet):
    between = django_filters.DateFromToRangeFilter(
        label="Between", widget=DateRangePickerWidget, method=keep_all
    )
    module = django_filters.ModelChoiceFilter(
        label="Module",
        empty_label="All modules",
        queryset=lambda request: ModulePage.objects.order_by("path"),
        method=keep_all,
    )
    provider = django_filters.ModelChoiceFilter(
        label="Provider",
        empty_label="All providers",
        queryset=lambda request: Provider.objects.order_by("name"),
        method=keep_all,
    )

    class Meta:
        model = Enrolment
        fields = []


@dataclass
class ActivityRow:
    month: datetime.date
    module: str
    provider: str
    enrolled: int = 0
    started: int = 0
    completed: int = 0
    attempts: int = 0
    passed: int = 0

    @property
    def month_label(self):
        """2025-01: sorts as text in a spreadsheet."""
        return self.month.strftime("%Y-%m")

    @property
    def pass_rate(self):
        """Passed attempts as a whole percentage of those submitted; None without attempts."""
        return round(100 * self.passed / self.attempts) if self.attempts else None


def seat_provider(learner, module):
    """The provider whose seat gives ``learner`` the ``module`` (the earliest seat, if several)."""
    seats = SeatAssignment.objects.filter(user=OuterRef(learner), module=OuterRef(module))
    return Subquery(seats.order_by("assigned_at", "pk").values("provider_id")[:1])


def _in_range(field, between):
    if not between:
        return Q()
    condition = Q()
    if between.start is not None:
        condition &= Q(**{f"{field}__gte": between.start})
    if between.stop is not None:
        condition &= Q(**{f"{field}__lte": between.stop})
    return condition


def _monthly(queryset, date_field, module_field, provider, between, **counts):
    """{(month, module id, provider id): {name: count}} for rows whose ``date_field`` is set."""
    queryset = (
        queryset.filter(_in_range(date_field, between), **{f"{date_field}__isnull": False})
        .annotate(month=TruncMonth(date_field, output_field=DateField()), module_key=module_field)
        .order_by()
    )
    if provider is not None:
        queryset = queryset.filter(provider_key=provider.pk)
    rows = queryset.values("month", "module_key", "provider_key").annotate(**counts)
    return {(row["month"], row["module_key"], row["provider_key"]): row for row in rows}


def monthly_activity(*, module=None, provider=None, between=None):
    """ActivityRows, oldest month first, for the filters given (six queries)."""
    enrolments = Enrolment.objects.annotate(provider_key=seat_provider("learner_id", "module_id"))
    attempts = Attempt.objects.filter(status=Attempt.Status.SUBMITTED).annotate(
        provider_key=seat_provider("enrolment__learner_id", "enrolment__module_id")
    )
    if module is not None:
        enrolments = enrolments.filter(module=module)
        attempts = attempts.filter(enrolment__module=module)
    counted = {
        "enrolled": _monthly(enrolments, "created_at", F("module_id"), provider, between, n=Count("pk")),
        "started": _monthly(enrolments, "started_at", F("module_id"), provider, between, n=Count("pk")),
        "completed": _monthly(enrolments, "completed_at", F("module_id"), provider, between, n=Count("pk")),
        "attempts": _monthly(
            attempts,
            "submitted_at",
            F("enrolment__module_id"),
            provider,
            between,
            n=Count("pk"),
            passed=Count("pk", filter=Q(passed=True)),
        ),
    }
    keys = {key for figures in counted.values() for key in figures}
    modules = dict(ModulePage.objects.filter(pk__in={key[1] for key in keys}).values_list("pk", "title"))
    providers = dict(
        Provider.objects.filter(pk__in={key[2] for key in keys if key[2]}).values_list("pk", "name")
    )
    rows = []
    for key in keys:
        month, module_id, provider_id = key
        row = ActivityRow(month, modules.get(module_id, ""), providers.get(provider_id, NO_PROVIDER))
        for name in ("enrolled", "started", "completed"):
            setattr(row, name, counted[name].get(key, {}).get("n", 0))
        attempt_counts = counted["attempts"].get(key, {})
        row.attempts, row.passed = attempt_counts.get("n", 0), attempt_counts.get("passed", 0)
        rows.append(row)
    rows.sort(key=lambda row: (row.month, row.module, row.provider == NO_PROVIDER, row.provider))
    return rows


class EnrolmentActivityReportView(FormulaSafeExportMixin, ReportView):
    """Enrolments, completions and pass rates per module and provider, month by month."""

    title = page_title = "Enrolments and completions"
    header_icon = "user"
    results_template_name = "courses/reports/enrolment_activity_results.html"
    filterset_class = EnrolmentActivityFilterSet
    index_url_name = "courses_enrolment_activity"
    index_results_url_name = "courses_enrolment_activity_results"
    permission_policy = ModelPermissionPolicy(Enrolment)
    any_permission_required = ["view"]
    paginate_by = 100
    verbose_name_plural = "months with activity"
    list_export = [
        "month_label",
        "module",
        "provider",
        "enrolled",
        "started",
        "completed",
        "attempts",
        "passed",
        "pass_rate",
    ]
    export_headings = {
        "month_label": "Month",
        "module": "Module",
        "provider": "Provider",
        "enrolled": "Enrolments",
        "started": "Started",
        "completed": "Completed",
        "attempts": "Quiz attempts",
        "passed": "Attempts passed",
        "pass_rate": "Pass rate (%)",
    }

    def get_queryset(self):
        return Enrolment.objects.none()

    def get_filtered_queryset(self):
        filters = self.filters
        data = filters.form.cleaned_data if filters is not None and filters.is_valid() else {}
        return monthly_activity(
            module=data.get("module"), provider=data.get("provider"), between=data.get("between")
        )

    def get_filename(self):
        return f"enrolments-and-completions-{datetime.date.today():%Y-%m-%d}"

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["no_provider"] = NO_PROVIDER
        return context
