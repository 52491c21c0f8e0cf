"""Certificate PDFs with WeasyPrint: A4 landscape, tagged PDF/A-3a, rendered from the snapshot, with
the logo set in the certificate settings when the PDF is made (it is stored once, at issue).

What does not depend on the certificate (the parsed stylesheet with its font, the font
configuration, the URL fetcher) is made once per thread and reused by every render. What is left
of a render is mostly WeasyPrint's work per element and per line of text (about 0.5 ms each), so
the certificate keeps to few of both, one face of one small font and one small image;
scripts/benchmark_certificates.py measures it against a minimal document."""

import base64
import struct
import threading
import zlib
from datetime import date
from pathlib import Path
from urllib.parse import unquote_to_bytes

import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.urls import reverse
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from cms.page_cache import cached_content

TEMPLATE = "certificates/pdf/certificate.html"
STYLESHEET = "certificates/pdf/certificate.css"
# Certificate Sans: DejaVu Sans cut to the Latin scripts (fonts/build.py says why and how).
FONTS = Path(__file__).resolve().parent / "fonts"
QR_COLOUR = (0x12, 0x35, 0x4D)  # #12354d, the name's colour
QR_PIXELS_PER_MODULE = 2  # drawn unsmoothed; 1 pixel a module failed to decode at 72 dpi
# Any of the eight QR mask patterns decodes; fixing one spares segno scoring all eight (about 4 ms).
QR_MASK = 0
# Streams left uncompressed: PDF/A needs a file identifier, a hash that pydyf (WeasyPrint's PDF
# writer) takes by serialising every object a second time, so each stream was compressed twice per
# render: about 1 ms of 18. The trade-off is size: 21 kB a PDF instead of 12 kB.
PDF_OPTIONS = {"pdf_variant": "pdf/a-3a", "pdf_tags": True, "uncompressed_pdf": True}
# The logo is printed 14 mm high (150 pixels: about 270 dpi), as a JPEG: WeasyPrint embeds a JPEG
# as it is (1.3 ms a render), but decodes and encodes a PNG again on every render (4.2 ms).
LOGO_RENDITION = "max-700x150|format-jpeg|jpegquality-85"

_per_thread = threading.local()


def verification_url(certificate):
    return settings.SITE_URL.rstrip("/") + reverse("certificates:verify_code", args=[certificate.code])


ATTACHED = "attached:"  # attached:NAME, an image the render hands its fetcher (InlineOnlyFetcher)


class InlineOnlyFetcher(URLFetcher):
    """Resolves data: URLs and the images attached to it (``attached:NAME``) itself and refuses
    every other URL, so a PDF never waits on the network or reads a file. With
    ``fail_on_errors`` a refused URL stops the render. (WeasyPrint's own fetcher, an urllib
    opener, took about 0.4 ms more a certificate, built for each render.)

    ``attached`` maps a name to ``(bytes, media type)``: the certificate's QR code and logo go
    there rather than into the HTML as data: URLs, which WeasyPrint's HTML parser reads a
    character at a time (about 2.5 ms a render for a 30 kB logo)."""

    def __init__(self):
        super().__init__(allowed_protocols={"data"}, fail_on_errors=True)
        self.attached = {}

    def fetch(self, url, headers=None):
        if url.startswith(ATTACHED) and url[len(ATTACHED) :] in self.attached:
            data, media_type = self.attached[url[len(ATTACHED) :]]
            return URLFetcherResponse(url, data, {"Content-Type": media_type})
        if url[:5].lower() != "data:":
            raise ValueError(f"Only inline data: URLs are allowed here, not {url[:60]!r}")
        media_type, comma, data = url[5:].partition(",")
        if not comma:
            raise ValueError("A data: URL without a comma")
        data = unquote_to_bytes(data)
        if media_type.lower().endswith(";base64"):
            data = base64.decodebytes(data)
            media_type = media_type[: -len(";base64")]
        return URLFetcherResponse(url, data, {"Content-Type": media_type or "text/plain;charset=US-ASCII"})


def inline_only_fetcher():
    """Everything a certificate shows is inline (data: URLs); a PDF never waits on the network.
    (The invoice and inspection PDFs use it too.)"""
    return InlineOnlyFetcher()


def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def qr_png(text):
    """The QR code of ``text`` as a small RGB PNG, dark modules in QR_COLOUR, no quiet zone (the
    page's white space is one). Written here rather than by segno: segno writes a palette PNG in
    Python, which WeasyPrint then converts to RGB and encodes once more; that cost about 0.8 ms a
    render more than this. Shown unsmoothed (image-rendering: pixelated): WeasyPrint embeds a small
    PNG much faster than it draws the same code as an SVG path. Pages rendered from 36 to 600 dpi
    decode with zbarimg; 1 pixel a module failed at 72 dpi and below."""
    matrix = segno.make(text, error="m", mask=QR_MASK, mode="byte").matrix
    scale = QR_PIXELS_PER_MODULE
    pixels = (b"\xff\xff\xff" * scale, bytes(QR_COLOUR) * scale)  # light, dark module
    # Each row of pixels starts with its PNG filter type, 0 (none); a row of modules is `scale` rows.
    rows = b"".join((b"\x00" + b"".join([pixels[module] for module in row])) * scale for row in matrix)
    size = len(matrix) * scale
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB, not interlaced
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(rows))
        + _png_chunk(b"IEND", b"")
    )


def logo():
    """``(JPEG bytes, text alternative)`` of the logo in the certificate settings, or None. Kept in
    the content cache (saving the settings or an image makes a new content version), so a render
    reads no file and fetches nothing."""
    return cached_content("certificate-logo", compute=_logo_now)


def _logo_now():
    from .models import CertificateSettings

    image = CertificateSettings.load().logo
    if image is None:
        return None
    rendition = image.get_rendition(LOGO_RENDITION)
    with rendition.file.open("rb") as file:
        data = file.read()
    return data, image.title


def renderer():
    """(FontConfiguration, parsed stylesheet, URL fetcher) for this thread, made on first use.
    WeasyPrint's font configuration is not shared between threads; the stylesheet's @font-face
    loads the font into it once, from the fonts folder. With DEBUG on the stylesheet is read
    again on every render so edits show in the preview."""
    kit = getattr(_per_thread, "kit", None)
    if kit is None or settings.DEBUG:
        font_config = kit[0] if kit else FontConfiguration()
        stylesheet = CSS(
            string=render_to_string(STYLESHEET),
            base_url=FONTS.as_uri() + "/",
            url_fetcher=URLFetcher(allowed_protocols={"file"}, fail_on_errors=True),
            font_config=font_config,
        )
        kit = _per_thread.kit = (font_config, stylesheet, InlineOnlyFetcher())
    return kit


def render_certificate_pdf(certificate, pdf_options=PDF_OPTIONS):
    """The certificate's PDF bytes. ``pdf_options`` are WeasyPrint's: the benchmark also renders
    without tags or PDF/A, to show what they cost."""
    url = verification_url(certificate)
    font_config, stylesheet, fetcher = renderer()
    printed_logo = logo()
    fetcher.attached = {"qr": (qr_png(url), "image/png")}  # this thread's fetcher, this render's images
    if printed_logo:
        fetcher.attached["logo"] = (printed_logo[0], "image/jpeg")
    html = render_to_string(
        TEMPLATE,
        {
            "certificate": certificate,
            "snapshot": certificate.snapshot,
            "issued_on": date.fromisoformat(certificate.snapshot["issued_on"]),
            "expires_on": date.fromisoformat(certificate.snapshot["expires_on"]),
            "verification_url": url,
            "qr": ATTACHED + "qr",
            "logo_src": ATTACHED + "logo" if printed_logo else "",
            "logo_alt": printed_logo[1] if printed_logo else "",
        },
    )
    document = HTML(string=html, url_fetcher=fetcher)
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
