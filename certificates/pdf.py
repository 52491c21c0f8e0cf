"""Certificate PDFs with WeasyPrint: A4 landscape, tagged PDF/A-3a, rendered from the snapshot only."""

from datetime import date

import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.urls import reverse
from weasyprint import HTML
from weasyprint.urls import URLFetcher


def verification_url(certificate):
    return settings.SITE_URL.rstrip("/") + reverse("certificates:verify_code", args=[certificate.code])


def inline_only_fetcher():
    """Everything a certificate shows is inline (data: URLs); a PDF never waits on the network."""
    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)


def qr_svg_data_uri(text):
    return segno.make(text, error="m").svg_data_uri(scale=4, border=0, dark="#12354d")


def render_certificate_pdf(certificate):
    url = verification_url(certificate)
    html = render_to_string(
        "certificates/pdf/certificate.html",
        {
            "certificate": certificate,
            "snapshot": certificate.snapshot,
            "issued_on": date.fromisoformat(certificate.snapshot["issued_on"]),
            "expires_on": date.fromisoformat(certificate.snapshot["expires_on"]),
            "verification_url": url,
            "qr": qr_svg_data_uri(url),
        },
    )
    document = HTML(string=html, url_fetcher=inline_only_fetcher())
    return document.write_pdf(pdf_variant="pdf/a-3a", pdf_tags=True)


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
