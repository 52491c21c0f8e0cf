"""The "Certificates" report in the Wagtail admin (Reports menu), exportable as CSV and XLSX.

One row per certificate, read from what it says (its frozen snapshot), with a status that
spells out what "valid" means today: valid, expires within 30 days, expired, superseded or
revoked. The status is worked out in the database, so it can be filtered on."""

import datetime

import django_filters
from django.db.models import Case, CharField, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.views.reports import ReportView
from wagtail.permission_policies import ModelPermissionPolicy

from cms.reporting import FormulaSafeExportMixin
from courses.models import ModulePage

from .models import Certificate

EXPIRY_WARNING = datetime.timedelta(days=30)

VALID = "Valid"
EXPIRING = "Expires within 30 days"
EXPIRED = "Expired"
SUPERSEDED = "Superseded"
REVOKED = "Revoked"


def with_report_status(queryset, today=None):
    """Annotate ``report_status`` (one of the labels above) and ``issued_on`` (local date)."""
    today = today or timezone.localdate()
    return queryset.annotate(
        report_status=Case(
            When(status=Certificate.Status.REVOKED, then=Value(REVOKED)),
            When(status=Certificate.Status.SUPERSEDED, then=Value(SUPERSEDED)),
            When(expires_on__lt=today, then=Value(EXPIRED)),
            When(expires_on__lte=today + EXPIRY_WARNING, then=Value(EXPIRING)),
            default=Value(VALID),
            output_field=CharField(),
        ),
        issued_on=TruncDate("issued_at"),
    )


class CertificateReportFilterSet(WagtailFilterSet):
    show = django_filters.ChoiceFilter(
        label="Show",
        empty_label="All issued",
        choices=[
            ("expiring", "Expiring in the next 30 days"),
            ("expired", "Expired"),
            ("revoked", "Revoked"),
        ],
        method="filter_show",
    )
    module = django_filters.ModelChoiceFilter(
        label="Module",
        empty_label="All modules",
        queryset=lambda request: ModulePage.objects.order_by("path"),
    )
    issued = django_filters.DateFromToRangeFilter(
        label="Issued", field_name="issued_at", widget=DateRangePickerWidget
    )

    class Meta:
        model = Certificate
        fields = []

    def filter_show(self, queryset, name, value):
        labels = {"expiring": EXPIRING, "expired": EXPIRED, "revoked": REVOKED}
        return queryset.filter(report_status=labels[value]) if value in labels else queryset


class CertificateReportView(FormulaSafeExportMixin, ReportView):
    """Certificates issued, expiring soon, expired and revoked (filtered by module and issue date)."""

    title = page_title = "Certificates"
    header_icon = "doc-full"
    results_template_name = "certificates/reports/certificates_results.html"
    filterset_class = CertificateReportFilterSet
    index_url_name = "certificates_report"
    index_results_url_name = "certificates_report_results"
    permission_policy = ModelPermissionPolicy(Certificate)
    any_permission_required = ["view"]
    paginate_by = 100
    verbose_name_plural = "certificates"
    list_export = [
        "code",
        "snapshot.name",
        "snapshot.module",
        "snapshot.provider",
        "issued_on",
        "expires_on",
        "report_status",
    ]
    export_headings = {
        "code": "Code",
        "snapshot.name": "Name on certificate",
        "snapshot.module": "Module",
        "snapshot.provider": "Provider",
        "issued_on": "Issued",
        "expires_on": "Expires",
        "report_status": "Status",
    }

    def get_queryset(self):
        # the snapshot holds every text shown, so no other table is read
        return with_report_status(Certificate.objects.order_by("-issued_at", "code"))

    def get_filename(self):
        return f"certificates-{datetime.date.today():%Y-%m-%d}"
