"""Invoice and receipt PDFs: rendered from the order's frozen snapshot, read back as text."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from providers import services
from providers.invoices import percent, pounds, render_invoice
from providers.models import BillingSettings, SeatOrder

pytestmark = pytest.mark.django_db


def pdf_text(data):
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def billing():
    settings = BillingSettings.load()
    settings.supplier_name = "Safe Steps Training Ltd"
    settings.supplier_address = "2 Mill Street\nYork YO1 2AB"
    settings.vat_number = "GB123456789"
    settings.payment_terms_days = 30
    settings.payment_instructions = "Sort code 01-02-03, account 12345678."
    settings.save()
    return settings


@pytest.fixture
def invoice_order(provider, module_page, manager, price_tiers, billing):
    return services.place_order(
        provider,
        module_page,
        12,
        method=SeatOrder.Method.INVOICE,
        placed_by=manager,
        purchase_order="PO-7781",
    )


def test_money_and_rate_formatting():
    assert pounds(28800) == "£288.00"
    assert pounds(123456) == "£1,234.56"
    assert pounds(5) == "£0.05"
    assert percent(BillingSettings().vat_rate) == "20%"
    from decimal import Decimal

    assert percent(Decimal("17.50")) == "17.5%"
    assert percent(Decimal("0.00")) == "0%"


def test_pending_invoice_shows_what_is_owed_and_how_to_pay(invoice_order):
    text = pdf_text(render_invoice(invoice_order))

    issued = timezone.localdate()
    due = issued + timedelta(days=30)
    for expected in [
        "Invoice",
        "INV-000001",
        "Safe Steps Training Ltd",
        "2 Mill Street",
        "GB123456789",
        "Little Acorns Nursery",
        "Ann Acorn",
        "1 Oak Lane",
        "accounts@acorns.example",
        "Purchase order: PO-7781",
        "Online safety",
        "£20.00",
        "Net amount £240.00",
        "VAT at 20% £48.00",
        "Total due £288.00",
        f"Date: {issued.day} {issued:%B %Y}",
        f"Payment due by: {due.day} {due:%B %Y}",
        "Sort code 01-02-03, account 12345678.",
    ]:
        assert expected in text, expected
    assert "Receipt" not in text


def test_paid_order_is_a_receipt_with_the_paid_date(invoice_order):
    services.fulfil_order(invoice_order)
    invoice_order.refresh_from_db()

    text = pdf_text(render_invoice(invoice_order))

    today = timezone.localdate()
    assert "Receipt" in text
    assert "INV-000001" in text
    assert f"Paid on: {today.day} {today:%B %Y}" in text
    assert "Total paid £288.00" in text
    assert "Payment due by" not in text
    assert "Sort code" not in text


def test_cancelled_invoice_says_nothing_is_owed(invoice_order):
    services.cancel_order(invoice_order)
    invoice_order.refresh_from_db()

    text = pdf_text(render_invoice(invoice_order))

    assert "Invoice (cancelled)" in text
    assert "Nothing is owed" in text


def test_pdf_renders_from_the_snapshot_not_live_settings(invoice_order, provider, billing, module_page):
    billing.supplier_name = "New Owner Ltd"
    billing.payment_terms_days = 7
    billing.payment_instructions = "Pay by cheque."
    billing.vat_rate = "5"
    billing.save()
    provider.name = "Renamed Nursery"
    provider.billing_address = "99 New Road"
    provider.save()
    module_page.title = "Renamed module"
    module_page.save_revision().publish()

    text = pdf_text(render_invoice(SeatOrder.objects.get(pk=invoice_order.pk)))

    assert "Safe Steps Training Ltd" in text and "New Owner Ltd" not in text
    assert "Little Acorns Nursery" in text and "Renamed Nursery" not in text
    assert "1 Oak Lane" in text and "99 New Road" not in text
    assert "Online safety" in text and "Renamed module" not in text
    assert "Sort code 01-02-03" in text and "cheque" not in text
    assert "VAT at 20% £48.00" in text


def test_invoices_and_receipts_share_one_sequence(provider, module_page, manager, price_tiers):
    first = services.place_order(provider, module_page, 2, method=SeatOrder.Method.INVOICE, placed_by=manager)
    card = services.place_order(provider, module_page, 3, method=SeatOrder.Method.CARD, placed_by=manager)
    third = services.place_order(provider, module_page, 4, method=SeatOrder.Method.INVOICE, placed_by=manager)
    assert card.invoice_number is None
    services.fulfil_order(card)
    card.refresh_from_db()

    assert [first.invoice_number, third.invoice_number, card.invoice_number] == [
        "INV-000001",
        "INV-000002",
        "INV-000003",
    ]
    text = pdf_text(render_invoice(card))
    assert "Receipt" in text and "INV-000003" in text and "Paid by: Card" in text


def test_the_pdf_has_title_language_and_is_pdf_a(invoice_order):
    reader = PdfReader(io.BytesIO(render_invoice(invoice_order)))

    assert reader.metadata.title == "Invoice INV-000001: Little Acorns Nursery"
    assert reader.metadata.author == "Safe Steps Training Ltd"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert "pdfaid" in reader.xmp_metadata.stream.get_data().decode()


def test_unnumbered_order_has_no_pdf(provider, module_page, manager, price_tiers):
    card = services.place_order(provider, module_page, 3, method=SeatOrder.Method.CARD, placed_by=manager)

    with pytest.raises(ValueError):
        render_invoice(card)


def test_invoice_view_serves_the_pdf_inline_with_its_number(manager_client, invoice_order):
    response = manager_client.get(
        reverse("providers:invoice_pdf", args=[invoice_order.provider_id, invoice_order.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="INV-000001.pdf"'
    text = pdf_text(response.content)
    assert "Invoice" in text and "PO-7781" in text and "£288.00" in text


def test_invoice_view_is_404_for_a_card_order_not_yet_paid(
    manager_client, provider, module_page, manager, price_tiers
):
    card = services.place_order(provider, module_page, 3, method=SeatOrder.Method.CARD, placed_by=manager)
    url = reverse("providers:invoice_pdf", args=[provider.pk, card.pk])

    assert manager_client.get(url).status_code == 404
    services.fulfil_order(card)
    response = manager_client.get(url)
    assert response.status_code == 200
    assert "Receipt" in pdf_text(response.content)
