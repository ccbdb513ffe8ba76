"""The fonts shipped in starqr/fonts, measured and drawn the same way by every backend.

Chinese needs no shaping: characters map to glyphs one to one. Traditional Mongolian
does (initial, medial and final letter forms), so it is shaped by HarfBuzz: through
uharfbuzz for PDF and SVG when it is installed (drawn as glyph outlines), and through Pillow's raqm layout
(HarfBuzz too) for PNG and for measuring. Every line is shaped horizontally and turned
90 degrees clockwise, which is how vertical Mongolian is set: top to bottom, columns
left to right.
"""

import functools
import pathlib

from PIL import ImageFont

FONT_DIR = pathlib.Path(__file__).resolve().parent.parent / "fonts"
FONT_FILES = {
    "zh": FONT_DIR / "NotoSerifSC-Bold-subset.ttf",
    "mn": FONT_DIR / "NotoSansMongolian-Regular.ttf",
}
REPORTLAB_NAMES = {"zh": "StarQRSerifSC", "mn": "StarQRMongolian"}
MEASURE_SIZE = 1000  # Pillow measures at 1000 px, so widths come out in thousandths of an em

try:
    import uharfbuzz
except ImportError:  # PDF and SVG then carry Mongolian as a high-resolution image
    uharfbuzz = None


def can_shape_vectors():
    return uharfbuzz is not None


@functools.lru_cache(maxsize=256)
def pillow_font(script, size_px):
    return ImageFont.truetype(str(FONT_FILES[script]), size_px, layout_engine=ImageFont.Layout.RAQM)


def _pillow_options(script):
    return {"language": "mn"} if script == "mn" else {}


@functools.lru_cache(maxsize=4096)
def _width_em(script, text):
    return pillow_font(script, MEASURE_SIZE).getlength(text, **_pillow_options(script)) / MEASURE_SIZE


def text_width(script, text, size):
    """Advance width of a shaped line of `text` at font size `size` (any unit)."""
    return _width_em(script, text) * size


def open_font(script):
    """The shipped SCRIPT font as a fontTools TTFont (tables read when first used)."""
    # fontTools loads only when glyphs are measured or drawn (a heavy import)
    from fontTools.ttLib import TTFont

    return TTFont(str(FONT_FILES[script]), lazy=True)


@functools.lru_cache(maxsize=None)
def metrics(script):
    """(ascent, descent) as fractions of an em, from the font's own line metrics."""
    with open_font(script) as font:
        units = font["head"].unitsPerEm
        ascent, descent = font["OS/2"].sTypoAscender, -font["OS/2"].sTypoDescender
    if script == "zh":  # CJK ideographs sit in the em box: 0.88 up, 0.12 down
        ascent, descent = 0.88 * units, 0.12 * units
    return ascent / units, descent / units


def pillow_options(script):
    return _pillow_options(script)


@functools.lru_cache(maxsize=None)
def _covered(script):
    with open_font(script) as font:
        return frozenset(font.getBestCmap())


# Not drawn as glyphs: spaces, joiners and Mongolian free variation selectors / vowel separators.
_INVISIBLE = {0x20, 0x3000, 0x200B, 0x200C, 0x200D, 0x202F, 0x180B, 0x180C, 0x180D, 0x180E, 0x180F}


def undrawable(script, text):
    """The characters of `text` the shipped `script` font has no glyph for ('' when all draw).

    A plaque refuses such a name before printing rather than drawing boxes.
    """
    covered = _covered(script)
    missing = []
    for char in text or "":
        if ord(char) not in covered and ord(char) not in _INVISIBLE and char not in missing:
            missing.append(char)
    return "".join(missing)


# ---------------------------------------------------------------- ReportLab


@functools.lru_cache(maxsize=None)
def register_reportlab():
    """Register both fonts with ReportLab once per process; they embed as subsets."""
    # ReportLab loads only when a plaque is drawn (a heavy import)
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for script, name in REPORTLAB_NAMES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_FILES[script])))
    return REPORTLAB_NAMES


# ---------------------------------------------------------------- glyph outlines (SVG)


class GlyphOutlines:
    """SVG path data per glyph in font units (y up), cached."""

    def __init__(self, script):
        self.font = open_font(script)
        self.units = self.font["head"].unitsPerEm
        self.cmap = self.font.getBestCmap()
        self.glyph_set = self.font.getGlyphSet()
        self.glyph_order = self.font.getGlyphOrder()
        self.hmtx = self.font["hmtx"]
        self._paths = {}

    def path(self, glyph_name):
        if glyph_name not in self._paths:
            # fontTools loads only when glyphs are measured or drawn (a heavy import)
            from fontTools.pens.svgPathPen import SVGPathPen

            pen = SVGPathPen(self.glyph_set)
            self.glyph_set[glyph_name].draw(pen)
            self._paths[glyph_name] = pen.getCommands()
        return self._paths[glyph_name]

    def unshaped(self, text):
        """[(glyph name, x advance in font units)] for a script with no shaping (Chinese)."""
        placed = []
        for char in text:
            name = self.cmap.get(ord(char), ".notdef")
            placed.append((name, 0, 0, self.hmtx[name][0]))
        return placed

    def shaped(self, text, script):
        """[(glyph name, x offset, y offset, x advance)] in font units, shaped by HarfBuzz."""
        if not hasattr(self, "_hb_font"):
            self._hb_font = uharfbuzz.Font(uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(FONT_FILES[script]))))
        font = self._hb_font
        buffer = uharfbuzz.Buffer()
        buffer.add_str(text)
        buffer.guess_segment_properties()
        uharfbuzz.shape(font, buffer, {})
        return [
            (self.glyph_order[info.codepoint], pos.x_offset, pos.y_offset, pos.x_advance)
            for info, pos in zip(buffer.glyph_infos, buffer.glyph_positions)
        ]


@functools.lru_cache(maxsize=None)
def outlines(script):
    return GlyphOutlines(script)
