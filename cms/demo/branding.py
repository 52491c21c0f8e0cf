"""The demo training provider's logo: a simple wordmark drawn here, so the demo's certificates
show a logo as a real provider's would, without shipping an image file."""

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

TITLE = "Safeguarding children training logo"
FONT = Path(__file__).resolve().parents[2] / "certificates" / "fonts" / "CertificateSans.ttf"
NAVY, TEAL = (18, 53, 77), (27, 79, 114)


def logo_png():
    """A 900 x 200 PNG: a square mark and the words "Safeguarding children training"."""
    image = Image.new("RGB", (900, 200), "white")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((10, 30, 150, 170), radius=24, fill=TEAL)
    draw.ellipse((55, 55, 105, 105), fill="white")  # a head
    draw.rounded_rectangle((45, 110, 115, 150), radius=18, fill="white")  # shoulders
    draw.text((180, 38), "Safeguarding children", font=ImageFont.truetype(str(FONT), 62), fill=NAVY)
    draw.text((182, 112), "training", font=ImageFont.truetype(str(FONT), 50), fill=TEAL)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
