"""The certificate renderer reuses its stylesheet and fonts between renders: nothing of one
certificate may show in the next, and the styles must still apply."""

import io

from pypdf import PdfReader
from pypdf.generic import BooleanObject

from certificates.pdf import render_certificate_pdf, sample_certificate


def pdf_text(data):
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


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
