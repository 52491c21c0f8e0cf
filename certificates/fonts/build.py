"""Build the certificate's font, Certificate Sans, from the system's DejaVu Sans.

    .venv/bin/python certificates/fonts/build.py [/path/to/DejaVuSans.ttf]

DejaVu Sans has over 6,000 glyphs, and WeasyPrint subsets every font it embeds on every render:
a certificate in DejaVu Sans took about 2 ms longer to render than in this cut of 1,071. The cut keeps
the Latin scripts (with Vietnamese and the combining accents), punctuation and currency signs,
with kerning and accent placement (FEATURES below). A name in another script (Greek,
Cyrillic, Arabic...) still prints: the certificate's stylesheet falls back to the full DejaVu Sans
for the characters this cut lacks. The font is renamed, as the Bitstream Vera licence asks of a
modified font (LICENCE.txt beside this file), and so that fontconfig never takes it for the full
DejaVu Sans."""

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

SOURCE = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
TARGET = Path(__file__).resolve().parent / "CertificateSans.ttf"
FAMILY = "Certificate Sans"
POSTSCRIPT_NAME = "CertificateSans"
# Unicode blocks kept (first, last code point).
BLOCKS = [
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x024F),  # Latin-1 Supplement, Latin Extended-A and -B (Romanian ș ț included)
    (0x0259, 0x0259),  # ə (Azerbaijani)
    (0x02BB, 0x02BC),  # ʻ ʼ (Hawaiian, Ukrainian apostrophe)
    (0x02C6, 0x02C7),  # ˆ ˇ
    (0x02D8, 0x02DD),  # ˘ ˙ ˚ ˛ ˜ ˝
    (0x0300, 0x036F),  # combining diacritical marks (names typed with decomposed accents)
    (0x1E00, 0x1EFF),  # Latin Extended Additional (Vietnamese, Welsh ẁ ẃ ẅ)
    (0x2000, 0x206F),  # general punctuation (dashes, quotation marks, ellipsis)
    (0x20A0, 0x20CF),  # currency symbols
    (0x2116, 0x2116),  # №
    (0x2122, 0x2122),  # ™
]
# Kerning, accents placed on their letters, local forms. No ligatures: DejaVu Sans keeps its "fi"
# at the end of its glyphs, and WeasyPrint embeds every glyph up to the last one used, so one "fi"
# (in "Certificate") nearly doubled the font embedded in each PDF.
FEATURES = ["ccmp", "kern", "locl", "mark", "mkmk"]


def build(source=SOURCE, target=TARGET):
    font = TTFont(source, recalcTimestamp=False)  # the same bytes on every build
    options = subset.Options()
    options.layout_features = FEATURES
    options.name_IDs = ["*"]  # keeps the copyright and licence notices
    options.name_languages = ["*"]
    options.hinting = False  # WeasyPrint drops hinting from what it embeds anyway
    options.notdef_outline = True
    options.drop_tables += ["FFTM", "MATH"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[code for first, last in BLOCKS for code in range(first, last + 1)])
    subsetter.subset(font)
    names = font["name"]
    for record in names.names:
        if record.nameID in (1, 16):  # family
            names.setName(FAMILY, record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 3:  # unique identifier
            text = f"{FAMILY}, cut from {record.toUnicode()}"
            names.setName(text, 3, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 4:  # full name
            names.setName(FAMILY, 4, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 6:  # PostScript name
            names.setName(POSTSCRIPT_NAME, 6, record.platformID, record.platEncID, record.langID)
    font.save(target)
    return target, len(font.getGlyphOrder())


if __name__ == "__main__":
    path, glyphs = build(*sys.argv[1:2])
    print(f"{path}: {glyphs} glyphs, {path.stat().st_size:,} bytes")
