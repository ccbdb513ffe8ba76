"""Rebuild the fonts shipped in starqr/fonts from Debian's Noto packages.

Run once by a maintainer (not at run time):  python starqr/fonts/build_fonts.py
Needs fonts-noto-cjk and fonts-noto-core installed.

Why a build step: ReportLab embeds only TrueType (glyf) outlines, and Noto CJK ships
CFF outlines in a 27 MB collection. We take the Simplified Chinese face, keep the
characters a name on a plaque uses: every hanzi of GB 18030's level 1 and level 2 (the
6,763 hanzi of GB2312), every character written in StarQR's own sources and tests (the
demo's names, the plaque's labels, the tests' names), Latin, punctuation and full-width
forms; and convert the cubic CFF curves to quadratic TrueType curves.

A name outside this set is refused before printing (starqr.plaque.fonts.undrawable), never
drawn as boxes; add its characters to EXTRA_CHARACTERS and rebuild.

`python starqr/fonts/build_fonts.py --from-subset` re-subsets the shipped TrueType file
instead (no Debian package needed; it can only shrink the set).
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

REPOSITORY = HERE.parent.parent
# Everything but hanzi: Latin, punctuation, symbols (★), circled numbers, CJK punctuation, full-width forms.
NON_HANZI_RANGES = [
    (0x0020, 0x007E),
    (0x00A0, 0x00FF),
    (0x2000, 0x206F),
    (0x2150, 0x218F),
    (0x2460, 0x24FF),
    (0x25A0, 0x25FF),
    (0x2600, 0x26FF),
    (0x3000, 0x303F),
    (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
]
# Hanzi outside GB2312 seen in given names (堃, 喆, 玥...): add more here and rebuild.
EXTRA_CHARACTERS = "堃昇喆玥珺琍瑄璟頔赟旸"


def is_hanzi(char):
    return 0x3400 <= ord(char) <= 0x9FFF or 0xF900 <= ord(char) <= 0xFAFF or ord(char) >= 0x20000


def gb2312_hanzi():
    """GB 18030 level-1 and level-2 hanzi: exactly the hanzi GB2312 encodes in two bytes."""
    chars = set()
    for high in range(0xB0, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                char = bytes((high, low)).decode("gb2312")
            except UnicodeDecodeError:
                continue
            if is_hanzi(char):
                chars.add(char)
    return chars


def source_characters():
    """Every non-ASCII character written in StarQR's Python sources and tests (names, labels)."""
    chars = set()
    for folder in ("starqr", "tests"):
        for path in sorted((REPOSITORY / folder).rglob("*.py")):
            chars.update(c for c in path.read_text(encoding="utf-8") if ord(c) > 0x7F)
    return chars


def wanted_characters():
    chars = gb2312_hanzi() | source_characters() | set(EXTRA_CHARACTERS)
    chars.update(chr(c) for low, high in NON_HANZI_RANGES for c in range(low, high + 1))
    # Mongolian letters are drawn with the Mongolian font, not this one.
    return {c for c in chars if not 0x1800 <= ord(c) <= 0x18AF}


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
    for attribute in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
        "maxPoints",
        "maxContours",
        "maxCompositePoints",
        "maxCompositeContours",
        "maxComponentDepth",
    ):
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


def build(from_subset=False):
    face = TTFont(str(CJK_TARGET)) if from_subset else _simplified_chinese_face(CJK_SOURCE)
    unicodes = sorted(ord(c) for c in wanted_characters())
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
    if "CFF " in face:
        _cff_to_truetype(face)
    face.save(str(CJK_TARGET))
    if not from_subset:
        TTFont(str(MONGOLIAN_SOURCE)).save(str(MONGOLIAN_TARGET))
    for target in (CJK_TARGET, MONGOLIAN_TARGET):
        print(f"{target.name}: {target.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    sys.exit(build(from_subset="--from-subset" in sys.argv))
