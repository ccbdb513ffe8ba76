"""Rebuild the fonts shipped in starqr/fonts from Debian's Noto packages.

Run once by a maintainer (not at run time):  python starqr/fonts/build_fonts.py
Needs fonts-noto-cjk and fonts-noto-core installed.

Why a build step: ReportLab embeds only TrueType (glyf) outlines, and Noto CJK ships
CFF outlines in a 27 MB collection. We take the Simplified Chinese face, keep the
characters a Chinese or Mongolian name can use (all of CJK Unified Ideographs with
extension A, which covers GB2312 and GBK, plus punctuation, Latin and full-width
forms) and convert the cubic CFF curves to quadratic TrueType curves.
"""
import pathlib
import sys

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

HERE = pathlib.Path(__file__).resolve().parent
CJK_SOURCE = pathlib.Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc")
MONGOLIAN_SOURCE = pathlib.Path("/usr/share/fonts/truetype/noto/NotoSansMongolian-Regular.ttf")
CJK_TARGET = HERE / "NotoSerifSC-Bold-subset.ttf"
MONGOLIAN_TARGET = HERE / "NotoSansMongolian-Regular.ttf"

CJK_RANGES = [
    (0x0020, 0x007E), (0x00A0, 0x00FF), (0x2000, 0x206F), (0x2150, 0x218F),
    (0x2460, 0x24FF), (0x25A0, 0x25FF), (0x2600, 0x26FF), (0x3000, 0x303F),
    (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
]


def _simplified_chinese_face(collection_path):
    collection = TTCollection(str(collection_path))
    for font in collection.fonts:
        if "SC" in font["name"].getDebugName(1).split():
            return font
    raise SystemExit("no Simplified Chinese face in " + str(collection_path))


def _cff_to_truetype(font, max_error=1.0):
    """Replace CFF outlines by quadratic glyf outlines (fontTools' otf2ttf recipe)."""
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_error, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = glyphs
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attribute in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                      "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                      "maxComponentElements", "maxPoints", "maxContours",
                      "maxCompositePoints", "maxCompositeContours", "maxComponentDepth"):
        setattr(maxp, attribute, 0)
    maxp.maxZones = 1
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = glyph_order
    font["head"].indexToLocFormat = 0
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"
    font.recalcBBoxes = True


def build():
    face = _simplified_chinese_face(CJK_SOURCE)
    unicodes = [c for low, high in CJK_RANGES for c in range(low, high + 1)]
    options = subset.Options()
    options.layout_features = ["kern", "vert", "vrt2", "locl", "palt", "halt"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.hinting = False
    options.notdef_outline = True
    options.recalc_bounds = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(face)
    _cff_to_truetype(face)
    face.save(str(CJK_TARGET))
    TTFont(str(MONGOLIAN_SOURCE)).save(str(MONGOLIAN_TARGET))
    for target in (CJK_TARGET, MONGOLIAN_TARGET):
        print(f"{target.name}: {target.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    sys.exit(build())
