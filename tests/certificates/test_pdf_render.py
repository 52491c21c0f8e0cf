"""The certificate renderer reuses its stylesheet, font and URL fetcher between renders: nothing of
one certificate may show in the next, and the styles must still apply. What the speed work kept:
every field printed, the QR code readable, one small font embedded, nothing fetched, a tagged
PDF/A-3a with its title and language."""

import io
import subprocess
from datetime import date

import pytest
import segno
from django.core.files.images import ImageFile
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import BooleanObject
from wagtail.images import get_image_model
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError

from certificates.models import CertificateSettings
from certificates.pdf import (
    QR_MASK,
    InlineOnlyFetcher,
    inline_only_fetcher,
    qr_png,
    render_certificate_pdf,
    sample_certificate,
    verification_url,
)
from tests.certificates.pdf_tools import decoded_qr


def pdf_text(data):
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pdftotext(data, tmp_path):
    (tmp_path / "certificate.pdf").write_bytes(data)
    result = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "certificate.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


pytestmark = pytest.mark.django_db  # the logo comes from the certificate settings


def embedded_fonts(reader):
    """{base font name: the FontFile key of its descriptor} for the fonts of the first page."""
    fonts = {}
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        fonts[str(font["/BaseFont"]).split("+", 1)[-1]] = [
            key for key in descriptor if key.startswith("/FontFile")
        ]
    return fonts


def test_consecutive_renders_show_only_their_own_certificate():
    first, second = sample_certificate(), sample_certificate()
    second.code = "ZZZZ-YYYY-XXXX"
    second.snapshot = {**second.snapshot, "name": "Blake Other", "module": "Another module"}

    first_text = pdf_text(render_certificate_pdf(first))
    second_text = pdf_text(render_certificate_pdf(second))

    assert "Alex Example" in first_text and "Blake Other" not in first_text
    assert "Blake Other" in second_text and "Alex Example" not in second_text
    assert "ZZZZ-YYYY-XXXX" in second_text and first.code not in second_text


def test_the_shared_stylesheet_still_applies_on_a_second_render():
    render_certificate_pdf(sample_certificate())

    page = PdfReader(io.BytesIO(render_certificate_pdf(sample_certificate()))).pages[0]

    # A4 landscape from the stylesheet's @page rule (842 x 595 pt), not WeasyPrint's portrait default.
    assert round(float(page.mediabox.width)) == 842
    assert round(float(page.mediabox.height)) == 595
    # The QR code is a PNG drawn without smoothing (image-rendering: pixelated in the stylesheet).
    images = [obj.get_object() for obj in page["/Resources"]["/XObject"].values()]
    assert any(
        image["/Subtype"] == "/Image" and image.get("/Interpolate") == BooleanObject(False)
        for image in images
    )


def test_every_field_of_the_snapshot_is_printed(tmp_path):
    certificate = sample_certificate()
    snapshot = certificate.snapshot

    text = " ".join(pdftotext(render_certificate_pdf(certificate), tmp_path).split())

    issued = date.fromisoformat(snapshot["issued_on"])
    for printed in (
        snapshot["name"],
        snapshot["module"],
        f"course {snapshot['course']}",
        f"passed on {issued.day} {issued:%B %Y}",
        f"valid until {certificate.expires_on.day} {certificate.expires_on:%B %Y}",
        f"{snapshot['cpd_hours']} CPD hours",
        f"quiz score {snapshot['score']}%",
        f"certificate code {certificate.code}",
        f"Check this certificate at {verification_url(certificate)}",
        f"Signed for {snapshot['issuer']} by {snapshot['signatory_name']}, {snapshot['signatory_role']}",
    ):
        assert printed in text


@pytest.mark.parametrize("dpi", [72, 300])
def test_the_qr_code_decodes_at_low_and_high_resolution(tmp_path, dpi):
    certificate = sample_certificate()

    assert decoded_qr(render_certificate_pdf(certificate), tmp_path, dpi) == verification_url(certificate)


def test_the_qr_png_is_a_valid_rgb_image():
    from PIL import Image

    url = "https://example.org/verify/ABCD-EFGH-JKLM/"
    image = Image.open(io.BytesIO(qr_png(url)))
    image.load()

    matrix = segno.make(url, error="m", mode="byte", mask=QR_MASK).matrix
    assert image.format == "PNG" and image.mode == "RGB"
    assert image.size == (2 * len(matrix), 2 * len(matrix))  # 2 pixels a module, no quiet zone
    dark, light = (0x12, 0x35, 0x4D), (0xFF, 0xFF, 0xFF)
    assert all(
        image.getpixel((2 * x + dx, 2 * y + dy)) == (dark if module else light)
        for y, row in enumerate(matrix)
        for x, module in enumerate(row)
        for dx in (0, 1)
        for dy in (0, 1)
    )


def test_only_the_certificate_font_is_embedded():
    reader = PdfReader(io.BytesIO(render_certificate_pdf(sample_certificate())))

    assert embedded_fonts(reader) == {"Certificate-Sans": ["/FontFile2"]}


def test_a_name_outside_the_latin_cut_falls_back_to_dejavu_sans():
    certificate = sample_certificate()
    certificate.snapshot = {**certificate.snapshot, "name": "Łukasz Αλέξης Дмитрий"}

    data = render_certificate_pdf(certificate)

    assert "Łukasz Αλέξης Дмитрий" in pdf_text(data)
    fonts = embedded_fonts(PdfReader(io.BytesIO(data)))
    assert fonts == {"Certificate-Sans": ["/FontFile2"], "DejaVu-Sans": ["/FontFile2"]}


def test_a_tagged_pdf_a_3a_with_title_language_and_identifier():
    certificate = sample_certificate()

    reader = PdfReader(io.BytesIO(render_certificate_pdf(certificate)))

    root = reader.trailer["/Root"]
    assert reader.metadata.title == "Certificate: Online safety, Alex Example"
    assert root["/Lang"] == "en-GB"
    assert root["/MarkInfo"]["/Marked"] == BooleanObject(True)
    assert "/StructTreeRoot" in root and "/OutputIntents" in root
    assert len(reader.trailer["/ID"]) == 2  # PDF/A requires the file identifier
    xmp = reader.xmp_metadata.stream.get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="A"' in xmp
    # The QR code is a figure with its alternative text, for screen readers.
    assert figure_alternatives(reader) == [
        f"QR code linking to the verification page for certificate {certificate.code}"
    ]


def figure_alternatives(reader):
    """The alternative text of every figure in the PDF's structure tree, in reading order."""
    figures, elements = [], [reader.trailer["/Root"]["/StructTreeRoot"].get_object()]
    while elements:
        element = elements.pop(0)
        if element.get("/S") == "/Figure":
            figures.append(str(element["/Alt"]))
        kids = element.get("/K", [])
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if hasattr(kid, "get"):
                elements.append(kid)
    return figures


def test_the_logo_in_the_certificate_settings_is_printed_with_its_text_alternative():
    buffer = io.BytesIO()
    Image.new("RGB", (300, 100), (27, 79, 114)).save(buffer, "PNG")
    logo = get_image_model().objects.create(
        title="Northfield Training logo", file=ImageFile(buffer, name="logo.png")
    )
    settings = CertificateSettings.load()
    settings.logo = logo
    settings.save()  # a new content version: the cached "no logo" goes
    certificate = sample_certificate()

    reader = PdfReader(io.BytesIO(render_certificate_pdf(certificate)))

    images = list(reader.pages[0]["/Resources"]["/XObject"].values())
    assert len(images) == 2
    assert figure_alternatives(reader) == [
        "Northfield Training logo",
        f"QR code linking to the verification page for certificate {certificate.code}",
    ]

    settings.logo = None
    settings.save()
    assert (
        len(PdfReader(io.BytesIO(render_certificate_pdf(certificate))).pages[0]["/Resources"]["/XObject"])
        == 1
    )


def test_the_renderer_fetches_nothing_but_inline_data(monkeypatch):
    opened = []

    def no_network(self, url, *args, **kwargs):
        opened.append(getattr(url, "full_url", url))
        raise OSError("a certificate render opened a URL")

    render_certificate_pdf(sample_certificate())  # the font is read from its file once per thread
    monkeypatch.setattr("urllib.request.OpenerDirector.open", no_network)

    page = PdfReader(io.BytesIO(render_certificate_pdf(sample_certificate()))).pages[0]

    assert opened == []  # the QR code, a data: URL, is decoded without urllib
    assert [image["/Subtype"] for image in page["/Resources"]["/XObject"].values()] == ["/Image"]
    for url in ("https://example.org/logo.png", "http://127.0.0.1/x.png", "file:///etc/hostname"):
        with pytest.raises(FatalURLFetchingError):
            HTML(string=f'<img src="{url}">', url_fetcher=inline_only_fetcher()).write_pdf()
    assert opened == []


def test_the_inline_fetcher_reads_base64_and_percent_encoded_data():
    fetcher = InlineOnlyFetcher()

    png = fetcher.fetch("data:image/png;base64,iVBORw0KGgo=")
    text = fetcher.fetch("data:,Hello%2C%20world")

    assert png.content_type == "image/png" and png.read() == b"\x89PNG\r\n\x1a\n"
    assert text.content_type == "text/plain" and text.read() == b"Hello, world"
    with pytest.raises(ValueError):
        fetcher.fetch("data:image/png;base64")  # no comma
