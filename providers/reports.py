"""Two admin reports (Reports menu) for platform staff, exportable as CSV and XLSX.

* Seats by provider: one row per provider and module, with the seats bought (paid orders, less
  refunds), assigned, held by open invitations and unused. Three grouped queries, whatever the
  number of providers (the per-provider services.seat_counts_by_module would be three per provider).
* Invoices awaiting payment: invoice orders placed and not yet paid, with their due date and how
  many days they are overdue."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import django_filters
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.views.reports import ReportView
from wagtail.permission_policies import ModelPermissionPolicy

from cms.reporting import FormulaSafeExportMixin
from courses.models import ModulePage

from .invoices import payment_due_on, pounds
from .models import BillingSettings, Invitation, Provider, SeatAssignment, SeatOrder
from .services import PAID_STATUSES


def keep_all(queryset, name, value):
    """The report reads these filters itself: each one applies to several tables."""
    return queryset


def modules_by_path(request):
    return ModulePage.objects.order_by("path")


def _in_range(field, between):
    condition = Q()
    if between and between.start is not None:
        condition &= Q(**{f"{field}__gte": between.start})
    if between and between.stop is not None:
        condition &= Q(**{f"{field}__lte": between.stop})
    return condition


# --- Seats by provider ----------------------------------------------------------------------


class SeatsFilterSet(WagtailFilterSet):
    module = django_filters.ModelChoiceFilter(
        label="Module", empty_label="All modules", queryset=modules_by_path, method=keep_all
    )
    provider = django_filters.ModelChoiceFilter(
        label="Provider",
        empty_label="All providers",
        queryset=lambda request: Provider.objects.order_by("name"),
        method=keep_all,
    )
    ordered = django_filters.DateFromToRangeFilter(
        label="Ordered", widget=DateRangePickerWidget, method=keep_all
    )

    class Meta:
        model = SeatOrder
        fields = []


@dataclass
class SeatRow:
    provider: str
    module: str
    bought: int = 0
    assigned: int = 0
    invited: int = 0

    @property
    def unused(self):
        """Bought and not in use (seats held by open invitations are among them)."""
        return max(0, self.bought - self.assigned)


def seats_by_provider(*, module=None, provider=None, ordered=None):
    """SeatRows by provider name then module, for the filters given (three queries).

    With an order date range, only orders placed and seats assigned in it are counted."""
    scope = Q()
    if module is not None:
        scope &= Q(module=module)
    if provider is not None:
        scope &= Q(provider=provider)
    keys = ("provider_id", "provider__name", "module_id", "module__title")

    def grouped(queryset, **aggregate):
        rows = queryset.filter(scope).order_by().values(*keys).annotate(**aggregate)
        return {tuple(row[key] for key in keys): row["n"] for row in rows}

    figures = {
        "bought": grouped(
            SeatOrder.objects.filter(_in_range("created_at", ordered), status__in=PAID_STATUSES),
            n=Sum(F("quantity") - F("seats_refunded")),
        ),
        "assigned": grouped(SeatAssignment.objects.filter(_in_range("assigned_at", ordered)), n=Count("pk")),
        "invited": grouped(Invitation.objects.open().filter(_in_range("created_at", ordered)), n=Count("pk")),
    }
    rows = []
    for key in sorted({key for counts in figures.values() for key in counts}, key=lambda k: (k[1], k[3])):
        row = SeatRow(provider=key[1], module=key[3])
        for name, counts in figures.items():
            setattr(row, name, counts.get(key) or 0)
        rows.append(row)
    return rows


class SeatsReportView(FormulaSafeExportMixin, ReportView):
    """Seats bought, assigned and unused, per provider and module."""

    title = page_title = "Seats by provider"
    header_icon = "group"
    results_template_name = "providers/reports/seats_results.html"
    filterset_class = SeatsFilterSet
    index_url_name = "providers_seats_report"
    index_results_url_name = "providers_seats_report_results"
    permission_policy = ModelPermissionPolicy(SeatOrder)
    any_permission_required = ["view"]
    paginate_by = 100
    verbose_name_plural = "providers with seats"
    list_export = ["provider", "module", "bought", "assigned", "unused", "invited"]
    export_headings = {
        "provider": "Provider",
        "module": "Module",
        "bought": "Seats bought",
        "assigned": "Assigned",
        "unused": "Unused",
        "invited": "Held by open invitations",
    }

    def get_queryset(self):
        return SeatOrder.objects.none()

    def get_filtered_queryset(self):
        filters = self.filters
        data = filters.form.cleaned_data if filters is not None and filters.is_valid() else {}
        return seats_by_provider(
            module=data.get("module"), provider=data.get("provider"), ordered=data.get("ordered")
        )

    def get_filename(self):
        return f"seats-by-provider-{datetime.date.today():%Y-%m-%d}"


# --- Invoices awaiting payment --------------------------------------------------------------


class InvoicesFilterSet(WagtailFilterSet):
    placed = django_filters.DateFromToRangeFilter(
        label="Placed", field_name="created_at", widget=DateRangePickerWidget
    )
    module = django_filters.ModelChoiceFilter(
        label="Module", empty_label="All modules", queryset=modules_by_path
    )

    class Meta:
        model = SeatOrder
        fields = []


class InvoicesReportView(FormulaSafeExportMixin, ReportView):
    """Invoice orders placed and not paid, oldest first, with when each is due."""

    title = page_title = "Invoices awaiting payment"
    header_icon = "doc-full"
    results_template_name = "providers/reports/invoices_results.html"
    filterset_class = InvoicesFilterSet
    index_url_name = "providers_invoices_report"
    index_results_url_name = "providers_invoices_report_results"
    permission_policy = ModelPermissionPolicy(SeatOrder)
    any_permission_required = ["view"]
    paginate_by = 100
    verbose_name_plural = "unpaid invoices"
    list_export = [
        "invoice_number",
        "provider.name",
        "module.title",
        "quantity",
        "total_pounds",
        "placed_on",
        "due_on",
        "days_overdue",
    ]
    export_headings = {
        "invoice_number": "Invoice",
        "provider.name": "Provider",
        "module.title": "Module",
        "quantity": "Seats",
        "total_pounds": "Total incl. VAT (£)",
        "placed_on": "Placed on",
        "due_on": "Due",
        "days_overdue": "Days overdue",
    }

    def get_queryset(self):
        return (
            SeatOrder.objects.filter(method=SeatOrder.Method.INVOICE, status=SeatOrder.Status.PENDING)
            .select_related("provider", "module")
            .order_by("created_at", "pk")
        )

    def decorate_paginated_queryset(self, object_list):
        """Add the amount in pounds, the placing date, due date and days overdue to each order.

        The due date is the one on the invoice (its date plus the payment terms frozen with it);
        an order without that snapshot falls back on today's terms in the billing settings."""
        today = timezone.localdate()
        orders = list(object_list)
        terms = []

        def default_terms():
            if not terms:
                terms.append(BillingSettings.load().payment_terms_days)
            return terms[0]

        for order in orders:
            order.placed_on = timezone.localdate(order.created_at)
            order.total_pounds = (Decimal(order.total_pence) / 100).quantize(Decimal("0.01"))
            order.total_text = pounds(order.total_pence)
            order.due_on = payment_due_on(order, default_terms)
            order.days_overdue = max(0, (today - order.due_on).days)
        return orders

    def get_filename(self):
        return f"invoices-awaiting-payment-{datetime.date.today():%Y-%m-%d}"
