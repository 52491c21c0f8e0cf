"""Admin home (dashboard) panel: invoice orders awaiting payment, for platform staff."""

from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.ui.components import Component

from .invoices import payment_due_on, pounds
from .models import BillingSettings, SeatOrder


class InvoicesHomePanel(Component):
    """Admin home: unpaid invoice orders, the oldest first, each linking to the order where staff
    mark it paid. Two queries (the count and the first rows), plus one for the billing settings
    when an order has no invoice snapshot."""

    name = "invoices_awaiting_payment"
    template_name = "providers/panels/home_invoices.html"
    order = 240
    limit = 10

    @staticmethod
    def is_shown_to(user):
        return user.has_perm("providers.change_seatorder")

    def get_context_data(self, parent_context):
        request = parent_context["request"]
        unpaid = (
            SeatOrder.objects.filter(method=SeatOrder.Method.INVOICE, status=SeatOrder.Status.PENDING)
            .select_related("provider")
            .order_by("created_at", "pk")
        )
        orders = list(unpaid[: self.limit])
        total = unpaid.count()
        terms = []

        def default_terms():
            if not terms:
                terms.append(BillingSettings.load(request_or_site=request).payment_terms_days)
            return terms[0]

        today = timezone.localdate()
        for order in orders:
            order.placed_on = timezone.localdate(order.created_at)
            order.total_text = pounds(order.total_pence)
            order.due_on = payment_due_on(order, default_terms)
            order.days_overdue = max(0, (today - order.due_on).days)
            order.inspect_url = reverse("seat_order_admin:inspect", args=[quote(order.pk)])
            order.mark_paid_url = reverse("seat_order_admin:mark_paid", args=[quote(order.pk)])
        return {
            "orders": orders,
            "total": total,
            "more": total - len(orders),
            "list_url": reverse("providers_invoices_report"),
        }
