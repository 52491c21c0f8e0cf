"""Invoice and receipt PDFs with WeasyPrint, rendered from the order and its frozen snapshot only."""

from datetime import date, timedelta

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from certificates.pdf import inline_only_fetcher

from .models import SeatOrder


def pounds(pence):
    """2880 -> "£28.80"; 123456 -> "£1,234.56"."""
    pence = int(pence or 0)
    sign = "-" if pence < 0 else ""
    pence = abs(pence)
    return f"{sign}£{pence // 100:,}.{pence % 100:02d}"


def percent(rate):
    """Decimal("20.00") -> "20%"; Decimal("17.50") -> "17.5%"."""
    text = f"{rate:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def document_title(order):
    """What the document is: an invoice (a demand for payment) or a receipt (payment received)."""
    if order.status in (SeatOrder.Status.PAID, SeatOrder.Status.REFUNDED):
        return "Receipt"
    if order.status == SeatOrder.Status.CANCELLED:
        return "Invoice (cancelled)"
    return "Invoice"


def invoice_due_on(order):
    """The due date printed on the invoice (its date plus the payment terms frozen with it), or
    None for an order without that snapshot."""
    snapshot = order.invoice_snapshot or {}
    issued_on, terms = snapshot.get("issued_on"), snapshot.get("payment_terms_days")
    if issued_on and terms is not None:
        return date.fromisoformat(issued_on) + timedelta(days=int(terms))
    return None


def payment_due_on(order, default_terms):
    """When an unpaid order is due: the date on its invoice, or for an order without an invoice
    snapshot its placing date plus ``default_terms()`` days (a callable, read only when needed)."""
    return invoice_due_on(order) or timezone.localdate(order.created_at) + timedelta(days=default_terms())


def invoice_context(order):
    snapshot = order.invoice_snapshot or {}
    issued_on = date.fromisoformat(snapshot["issued_on"]) if snapshot.get("issued_on") else None
    due_on = invoice_due_on(order)
    paid_on = timezone.localtime(order.paid_at).date() if order.paid_at else None
    return {
        "order": order,
        "snapshot": snapshot,
        "title": document_title(order),
        "is_paid": order.status in (SeatOrder.Status.PAID, SeatOrder.Status.REFUNDED),
        "is_cancelled": order.status == SeatOrder.Status.CANCELLED,
        "issued_on": issued_on,
        "due_on": due_on,
        "paid_on": paid_on,
        "unit_price": pounds(order.unit_price_pence),
        "net": pounds(order.net_pence),
        "vat": pounds(order.vat_pence),
        "total": pounds(order.total_pence),
        "vat_rate": percent(order.vat_rate),
    }


def render_invoice(order):
    """The PDF (bytes) of a numbered order: an invoice while unpaid, a receipt once paid."""
    if not order.invoice_number:
        raise ValueError("Only a numbered order has an invoice or receipt.")
    html = render_to_string("providers/pdf/invoice.html", invoice_context(order))
    document = HTML(string=html, url_fetcher=inline_only_fetcher())
    return document.write_pdf(pdf_variant="pdf/a-3a", pdf_tags=True)
