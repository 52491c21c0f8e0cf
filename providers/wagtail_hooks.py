"""Platform staff: providers, seat orders (mark paid, cancel) and price tiers in the Wagtail admin."""

from django.contrib.admin.utils import quote
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.base import BaseObjectMixin, WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.wagtail_hooks import SiteHistoryReportMenuItem
from wagtail.admin.widgets.button import Button, HeaderButton
from wagtail.log_actions import LogFormatter
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from cms.reporting import ReportMenuItem, report_urls

from . import services
from .invoices import percent, pounds
from .models import PriceTier, Provider, SeatOrder
from .panels import InvoicesHomePanel
from .reports import InvoicesReportView, SeatsReportView

LOG_ACTIONS = [
    ("providers.create", "Create provider", "Created a provider"),
    ("providers.order_place", "Place order", "Placed a seat order"),
    ("providers.order_paid", "Order paid", "Marked a seat order paid"),
    ("providers.order_cancel", "Cancel order", "Cancelled a seat order"),
    ("providers.order_refund", "Refund seats", "Refunded seats of an order"),
    ("providers.order_refund_flagged", "Refund needs attention", "Flagged a refund of seats in use"),
    ("providers.order_flag", "Flag order", "Asked staff to look at an order"),
    ("providers.update", "Update organisation", "Changed the organisation's settings"),
    ("providers.seat_assign", "Assign seat", "Gave a seat to a learner"),
    ("providers.seat_return", "Return seat", "Returned a seat to the pool"),
    ("providers.invite", "Invite", "Invited someone to take a seat"),
    ("providers.invite_resend", "Resend invitation", "Sent an invitation again"),
    ("providers.invite_cancel", "Cancel invitation", "Cancelled an invitation"),
    ("providers.invite_accept", "Accept invitation", "Accepted an invitation"),
    ("providers.inspection_link_create", "Create inspection link", "Created an inspection link"),
    ("providers.inspection_link_revoke", "Revoke inspection link", "Revoked an inspection link"),
]


class ProviderLogFormatter(LogFormatter):
    """The action's message, with the reason or the Stripe payment the entry records: an entry
    made by a webhook has no user (the history shows "system"), so it says what Stripe reported."""

    def format_message(self, log_entry):
        data = log_entry.data or {}
        detail = data.get("reason") or ""
        if data.get("payment_intent"):
            detail = f"card payment {data['payment_intent']} confirmed by Stripe"
        return f"{self.message}: {detail}" if detail else self.message


@hooks.register("register_log_actions")
def register_provider_log_actions(actions):
    for action, label, message in LOG_ACTIONS:
        formatter = type("Formatter", (ProviderLogFormatter,), {"label": label, "message": message})
        actions.register_action(action)(formatter)


class NoAddOrDeletePolicy(ModelPermissionPolicy):
    """Providers are created by their owners and orders by managers, through the services, which
    record who did it; staff edit a few fields here but never add or delete."""

    def user_has_permission(self, user, action):
        return action not in {"add", "delete"} and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(Provider, NoAddOrDeletePolicy(Provider))
register_permission_policy(SeatOrder, NoAddOrDeletePolicy(SeatOrder))


# --- Providers ------------------------------------------------------------------------------


class ProviderIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().annotate(member_count=Count("memberships"))


class ProviderViewSet(ModelViewSet):
    model = Provider
    icon = "group"
    menu_label = "Providers"
    index_view_class = ProviderIndexView
    list_display = ["name", "kind", "ofsted_urn", Column("member_count", label="Members"), "created_at"]
    list_filter = ["kind"]
    search_fields = ["name"]
    form_fields = ["name", "kind", "ofsted_urn", "billing_name", "billing_email", "billing_address"]
    inspect_view_enabled = True
    copy_view_enabled = False


# --- Seat orders ----------------------------------------------------------------------------


def can_mark_paid(order):
    return order.status == SeatOrder.Status.PENDING and order.method == SeatOrder.Method.INVOICE


class SeatOrderIndexView(IndexView):
    viewset = None

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("provider", "module")

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        if instance.status == SeatOrder.Status.PENDING and self.user_has_permission("change"):
            if can_mark_paid(instance):
                url = reverse(self.viewset.get_url_name("mark_paid"), args=[quote(instance.pk)])
                buttons.append(Button("Mark as paid", url=url, icon_name="tick", priority=30))
            url = reverse(self.viewset.get_url_name("cancel_order"), args=[quote(instance.pk)])
            buttons.append(Button("Cancel order", url=url, icon_name="cross", priority=40))
        return buttons


class SeatOrderInspectView(InspectView):
    viewset = None

    def get_fields(self):
        return [
            "provider",
            "module",
            "placed_by",
            "quantity",
            "method",
            "status",
            "purchase_order",
            "invoice_number",
            "seats_refunded",
            "needs_attention",
            "stripe_checkout_session_id",
            "stripe_payment_intent_id",
            "created_at",
            "paid_at",
            "cancelled_at",
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = self.object
        amounts = [
            ("Price per seat", pounds(order.unit_price_pence)),
            ("Net", pounds(order.net_pence)),
            (f"VAT at {percent(order.vat_rate)}", pounds(order.vat_pence)),
            ("Total", pounds(order.total_pence)),
        ]
        context["fields"] = list(context["fields"]) + [
            {"label": label, "value": value, "component": None} for label, value in amounts
        ]
        return context

    def get_header_buttons(self):
        buttons = list(super().get_header_buttons())
        order = self.object
        if order.status == SeatOrder.Status.PENDING and self.user_has_permission("change"):
            if can_mark_paid(order):
                url = reverse(self.viewset.get_url_name("mark_paid"), args=[quote(order.pk)])
                buttons.append(HeaderButton("Mark as paid", url=url, icon_name="tick"))
            url = reverse(self.viewset.get_url_name("cancel_order"), args=[quote(order.pk)])
            buttons.append(HeaderButton("Cancel order", url=url, icon_name="cross"))
        return buttons


class OrderActionView(PermissionCheckedMixin, WagtailAdminTemplateMixin, BaseObjectMixin, TemplateView):
    """A confirmation page (GET) and the change itself (POST), through providers.services."""

    model = SeatOrder
    permission_required = "change"
    template_name = "providers/admin/confirm_order_action.html"
    header_icon = "doc-full"
    viewset = None
    action_label = ""
    confirmation_message = ""

    def get_page_title(self):
        return self.action_label

    def get_page_subtitle(self):
        return str(self.object)

    @cached_property
    def inspect_url(self):
        return reverse(self.viewset.get_url_name("inspect"), args=[quote(self.object.pk)])

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.viewset.get_url_name("index")), "label": "Seat orders"},
            {"url": self.inspect_url, "label": str(self.object)},
            {"url": "", "label": self.action_label},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = self.object
        context.update(
            order=order,
            total=pounds(order.total_pence),
            action_label=self.action_label,
            confirmation_message=self.confirmation_message,
            problem=self.problem(order),
            cancel_url=self.inspect_url,
        )
        return context

    def problem(self, order):
        """Why this cannot be done to ``order``, or ""."""
        return ""

    def post(self, request, *args, **kwargs):
        problem = self.problem(self.object)
        if problem:
            messages.error(request, problem)
        else:
            try:
                self.perform(self.object)
            except services.ProviderError as error:
                messages.error(request, str(error))
        return redirect(self.inspect_url)


class MarkPaidView(OrderActionView):
    action_label = "Mark as paid"
    confirmation_message = (
        "Only mark this order paid when the money has arrived in the bank. The provider's seats "
        "become available straight away."
    )

    def problem(self, order):
        if order.method == SeatOrder.Method.CARD and order.status == SeatOrder.Status.PENDING:
            return (
                "Card orders are marked paid by Stripe when the payment succeeds. If the customer wants to "
                "pay another way, cancel this order and ask them to order again by invoice."
            )
        return ""

    def perform(self, order):
        if services.fulfil_order(order, actor=self.request.user):
            messages.success(
                self.request, f"{order} is marked paid: {order.quantity} seats are now available."
            )
        else:
            messages.warning(self.request, f"{order} was already paid; nothing changed.")


class CancelOrderView(OrderActionView):
    action_label = "Cancel order"
    confirmation_message = (
        "Cancel this unpaid order? Its invoice will be shown as cancelled, and nothing is owed."
    )

    def perform(self, order):
        reason = f"Cancelled by staff ({self.request.user.email})."
        if services.cancel_order(order, actor=self.request.user, reason=reason):
            messages.success(self.request, f"{order} is cancelled.")
        else:
            messages.warning(self.request, f"{order} was already cancelled; nothing changed.")


class SeatOrderViewSet(ModelViewSet):
    model = SeatOrder
    icon = "doc-full"
    menu_label = "Seat orders"
    index_view_class = SeatOrderIndexView
    inspect_view_class = SeatOrderInspectView
    list_display = [
        "__str__",
        "provider",
        "module",
        Column("quantity", label="Seats"),
        Column("total", label="Total", accessor=lambda order: pounds(order.total_pence)),
        "status",
        "method",
        "invoice_number",
        "needs_attention",
        "created_at",
    ]
    list_filter = ["status", "method"]
    search_fields = ["invoice_number", "provider__name", "purchase_order"]
    # Amounts are frozen when the order is placed: staff may only fix the reference or clear a flag.
    form_fields = ["purchase_order", "needs_attention"]
    inspect_view_enabled = True
    copy_view_enabled = False

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(viewset=self, **kwargs)

    def mark_paid_view(self, request, pk):
        view = MarkPaidView.as_view(viewset=self)
        return view(request, pk=pk)

    def cancel_order_view(self, request, pk):
        view = CancelOrderView.as_view(viewset=self)
        return view(request, pk=pk)

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("mark-paid/<str:pk>/", self.mark_paid_view, name="mark_paid"),
            path("cancel/<str:pk>/", self.cancel_order_view, name="cancel_order"),
        ]


# --- Price tiers ----------------------------------------------------------------------------


class PriceTierViewSet(ModelViewSet):
    model = PriceTier
    icon = "tag"
    menu_label = "Price tiers"
    list_display = ["__str__", "min_quantity", "unit_price"]
    form_fields = ["min_quantity", "unit_price"]
    copy_view_enabled = False


class ProvidersGroup(ModelViewSetGroup):
    menu_label = "Providers"
    menu_icon = "group"
    menu_order = 320
    items = (
        ProviderViewSet("provider_admin"),
        SeatOrderViewSet("seat_order_admin"),
        PriceTierViewSet("price_tier_admin"),
    )


@hooks.register("register_admin_viewset")
def register_providers_group():
    return ProvidersGroup()


# --- Reports (Reports menu): seats by provider, invoices awaiting payment ------------------


@hooks.register("register_admin_urls")
def register_provider_report_urls():
    return report_urls("seats-by-provider", SeatsReportView, "providers_seats_report") + report_urls(
        "invoices-awaiting-payment", InvoicesReportView, "providers_invoices_report"
    )


@hooks.register("register_reports_menu_item")
def register_seats_report_menu_item():
    return ReportMenuItem(
        "Seats by provider",
        reverse("providers_seats_report"),
        view_class=SeatsReportView,
        name="seats-by-provider",
        icon_name="group",
        order=1330,
    )


@hooks.register("register_reports_menu_item")
def register_invoices_report_menu_item():
    return ReportMenuItem(
        "Invoices awaiting payment",
        reverse("providers_invoices_report"),
        view_class=InvoicesReportView,
        name="invoices-awaiting-payment",
        icon_name="doc-full",
        order=1340,
    )


@hooks.register("construct_homepage_panels")
def add_invoices_home_panel(request, panels):
    """Admin home: invoice orders awaiting payment, for those who may mark orders paid."""
    if InvoicesHomePanel.is_shown_to(request.user):
        panels.append(InvoicesHomePanel())


class SeatHistoryMenuItem(SiteHistoryReportMenuItem):
    """Wagtail's site history, where seat and invitation changes are logged, for platform staff
    (Wagtail lists it only for people who can explore pages)."""

    def is_shown(self, request):
        return request.user.has_perm("providers.view_seatassignment") and not super().is_shown(request)


@hooks.register("register_reports_menu_item")
def register_seat_history_menu_item():
    return SeatHistoryMenuItem(
        "Site history", reverse("wagtailadmin_reports:site_history"), name="seat-history", icon_name="history"
    )
