"""Certificate PDFs with WeasyPrint: A4 landscape, tagged PDF/A-3a, rendered from the snapshot only.

What does not depend on the certificate (the parsed stylesheet, the font configuration with its
font cache) is made once per thread and reused by every render; docs/benchmarks.md has the figures."""

import threading
from datetime import date

import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.urls import reverse
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

TEMPLATE = "certificates/pdf/certificate.html"
STYLESHEET = "certificates/pdf/certificate.css"
QR_COLOUR = "#12354d"
# Any of the eight QR mask patterns decodes; fixing one spares segno scoring all eight (about 6 ms).
QR_MASK = 0
PDF_OPTIONS = {"pdf_variant": "pdf/a-3a", "pdf_tags": True}

_per_thread = threading.local()


def verification_url(certificate):
    return settings.SITE_URL.rstrip("/") + reverse("certificates:verify_code", args=[certificate.code])


def inline_only_fetcher():
    """Everything a certificate shows is inline (data: URLs); a PDF never waits on the network."""
    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)


def qr_png_data_uri(text):
    """The QR code as a small PNG (2 pixels a module), shown unsmoothed: WeasyPrint embeds it much
    faster than it draws the same code as an SVG path. Pages rendered at 50 to 150 dpi decode with
    zbarimg, as they did with the SVG; 1 pixel a module failed below 100 dpi."""
    return segno.make(text, error="m", mask=QR_MASK).png_data_uri(scale=2, border=0, dark=QR_COLOUR)


def renderer():
    """(FontConfiguration, parsed stylesheet) for this thread, made on first use. WeasyPrint's
    font configuration is not shared between threads; with DEBUG on the stylesheet is re-read on
    every render so edits show in the preview."""
    kit = getattr(_per_thread, "kit", None)
    if kit is None or settings.DEBUG:
        font_config = kit[0] if kit else FontConfiguration()
        stylesheet = CSS(string=render_to_string(STYLESHEET), font_config=font_config)
        kit = _per_thread.kit = (font_config, stylesheet)
    return kit


def render_certificate_pdf(certificate, pdf_options=PDF_OPTIONS):
    """The certificate's PDF bytes. ``pdf_options`` are WeasyPrint's: the benchmark also renders
    without tags or PDF/A, to show what they cost."""
    url = verification_url(certificate)
    font_config, stylesheet = renderer()
    html = render_to_string(
        TEMPLATE,
        {
            "certificate": certificate,
            "snapshot": certificate.snapshot,
            "issued_on": date.fromisoformat(certificate.snapshot["issued_on"]),
            "expires_on": date.fromisoformat(certificate.snapshot["expires_on"]),
            "verification_url": url,
            "qr": qr_png_data_uri(url),
        },
    )
    document = HTML(string=html, url_fetcher=inline_only_fetcher())
    return document.write_pdf(stylesheets=[stylesheet], font_config=font_config, **pdf_options)


def stored_pdf(certificate):
    """The certificate's PDF file, rendered from the snapshot and stored the first time."""
    if certificate.pdf and certificate.pdf.storage.exists(certificate.pdf.name):
        return certificate.pdf
    certificate.pdf.save(
        f"{certificate.code}.pdf", ContentFile(render_certificate_pdf(certificate)), save=False
    )
    type(certificate).objects.filter(pk=certificate.pk).update(pdf=certificate.pdf.name)
    return certificate.pdf


def sample_certificate():
    """An unsaved certificate with a made-up snapshot: the DEBUG preview and the benchmark."""
    from .models import Certificate

    today = date.today()
    return Certificate(
        code="SAMP-LE23-4567",
        snapshot={
            "name": "Alex Example",
            "module": "Online safety",
            "course": "Safeguarding children",
            "score": 90,
            "cpd_hours": "1.5",
            "issued_on": today.isoformat(),
            "expires_on": today.replace(year=today.year + 2).isoformat(),
            "issuer": "Safeguarding children training",
            "signatory_name": "Training lead",
            "signatory_role": "Safeguarding training",
        },
        expires_on=today.replace(year=today.year + 2),
    )
