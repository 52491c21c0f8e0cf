"""Buying seats, the order page, billing history and the invoice/receipt PDF, for a provider's managers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from courses.models import ModulePage

from .. import payments, services
from ..access import managed_object, managed_provider
from ..invoices import percent, pounds, render_invoice
from ..models import PriceTier, SeatOrder
from ..order_forms import BuySeatsForm

PLACED_BY_INVOICE = "Order placed. Your invoice is ready to download; seats appear when payment arrives."
CHECKOUT_SUCCESS = (
    "Payment received. Your seats will appear shortly, usually within a minute; refresh this page."
)
CHECKOUT_CANCELLED = "Payment was cancelled; nothing was charged."


def card_enabled():
    return payments.stripe_enabled()


def with_amounts(order):
    """The order with its amounts ready to show in pounds."""
    order.net_display = pounds(order.net_pence)
    order.vat_display = pounds(order.vat_pence)
    order.total_display = pounds(order.total_pence)
    order.unit_price_display = pounds(order.unit_price_pence)
    order.vat_rate_display = percent(order.vat_rate)
    return order


def price_rows(tiers):
    """Each tier with the range of seats it covers, for the price table."""
    rows = []
    for index, tier in enumerate(tiers):
        upper = tiers[index + 1].min_quantity - 1 if index + 1 < len(tiers) else None
        if upper is None:
            seats = f"{tier.min_quantity} or more"
        elif upper == tier.min_quantity:
            seats = str(tier.min_quantity)
        else:
            seats = f"{tier.min_quantity} to {upper}"
        rows.append({"seats": seats, "price": pounds(int(tier.unit_price * 100))})
    return rows


def quote_display(quote):
    return {
        "quantity": quote.quantity,
        "unit_price": pounds(quote.unit_price_pence),
        "vat_rate": percent(quote.vat_rate),
        "net": pounds(quote.net_pence),
        "vat": pounds(quote.vat_pence),
        "total": pounds(quote.total_pence),
        "total_pence": quote.total_pence,
    }


@login_required
def buy_seats(request, provider_id):
    """Choose a module, seats and how to pay; see the price; then place the order."""
    provider = managed_provider(request.user, provider_id)
    card = card_enabled()
    tiers = list(PriceTier.objects.order_by("min_quantity"))
    context = {"provider": provider, "section": "buy", "card_enabled": card, "tiers": price_rows(tiers)}

    if request.method != "POST":
        initial = {}
        modules = list(ModulePage.objects.live().order_by("title")[:2])
        if len(modules) == 1:
            initial["module"] = modules[0].pk
        for name in ("module", "quantity", "method"):
            if request.GET.get(name):
                initial[name] = request.GET[name]
        context["form"] = BuySeatsForm(initial=initial, card_enabled=card)
        return TemplateResponse(request, "providers/buy.html", context)

    form = BuySeatsForm(request.POST, card_enabled=card)
    context["form"] = form
    if not tiers:
        messages.error(request, "Seats are not on sale yet: no price has been set. Please contact us.")
        return TemplateResponse(request, "providers/buy.html", context, status=400)
    if not form.is_valid():
        return TemplateResponse(request, "providers/buy.html", context, status=400)

    data = form.cleaned_data
    try:
        price = services.quote(data["quantity"])
    except services.ProviderError as error:
        form.add_error(None, str(error))
        return TemplateResponse(request, "providers/buy.html", context, status=400)
    context["quote"] = quote_display(price)

    if request.POST.get("action") != "place":
        return TemplateResponse(request, "providers/buy.html", context)
    if request.POST.get("quoted_total") != str(price.total_pence):
        # The manager has not seen this price (first visit, or the seats changed after the quote).
        context["price_changed"] = True
        return TemplateResponse(request, "providers/buy.html", context)

    try:
        order = services.place_order(
            provider,
            data["module"],
            data["quantity"],
            method=data["method"],
            placed_by=request.user,
            purchase_order=data["purchase_order"],
        )
    except services.ProviderError as error:
        form.add_error(None, str(error))
        return TemplateResponse(request, "providers/buy.html", context, status=400)

    order_url = reverse("providers:order", args=[provider.pk, order.pk])
    if order.method == SeatOrder.Method.INVOICE:
        messages.success(request, PLACED_BY_INVOICE)
        return redirect(order_url)

    absolute = request.build_absolute_uri(order_url)
    try:
        session = payments.create_checkout_session(
            order, success_url=f"{absolute}?checkout=success", cancel_url=f"{absolute}?checkout=cancelled"
        )
    except services.ProviderError as error:
        services.cancel_order(order, actor=request.user, reason="The card payment page could not be opened.")
        form.add_error(None, str(error))
        return TemplateResponse(request, "providers/buy.html", context, status=400)
    response = redirect(session.url)
    response.status_code = 303
    return response


@login_required
def order_detail(request, provider_id, order_id):
    provider = managed_provider(request.user, provider_id)
    order = with_amounts(
        managed_object(SeatOrder.objects.select_related("module", "placed_by"), provider, pk=order_id)
    )
    checkout = request.GET.get("checkout")
    pending_card = order.method == SeatOrder.Method.CARD and order.status == SeatOrder.Status.PENDING
    context = {
        "provider": provider,
        "section": "billing",
        "order": order,
        "checkout_success": pending_card and checkout == "success",
        "checkout_cancelled": pending_card and checkout == "cancelled",
        "checkout_messages": {"success": CHECKOUT_SUCCESS, "cancelled": CHECKOUT_CANCELLED},
        "can_cancel": order.status == SeatOrder.Status.PENDING,
    }
    return TemplateResponse(request, "providers/order_detail.html", context)


@login_required
@require_POST
def order_cancel(request, provider_id, order_id):
    provider = managed_provider(request.user, provider_id)
    order = managed_object(SeatOrder, provider, pk=order_id)
    try:
        services.cancel_order(order, actor=request.user, reason="Cancelled by the provider.")
    except services.ProviderError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The order was cancelled. Nothing is owed for it.")
    return redirect("providers:order", provider.pk, order.pk)


@login_required
def billing(request, provider_id):
    """Every order of the provider, newest first, and the seats per module."""
    provider = managed_provider(request.user, provider_id)
    orders = [
        with_amounts(order)
        for order in SeatOrder.objects.filter(provider=provider)
        .select_related("module")
        .order_by("-created_at", "-pk")
    ]
    modules = {order.module_id: order.module for order in orders}
    seats = [
        {"module": module, "counts": services.seat_counts(provider, module)}
        for module in sorted(modules.values(), key=lambda module: module.title)
    ]
    context = {"provider": provider, "section": "billing", "orders": orders, "seats": seats}
    return TemplateResponse(request, "providers/billing.html", context)


@login_required
def invoice_pdf(request, provider_id, order_id):
    """The invoice (unpaid) or receipt (paid), inline. A card order has none until it is paid."""
    provider = managed_provider(request.user, provider_id)
    order = managed_object(SeatOrder.objects.select_related("module"), provider, pk=order_id)
    if not order.invoice_number:
        raise Http404("This order has no invoice yet.")
    response = HttpResponse(render_invoice(order), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{order.invoice_number}.pdf"'
    return response
