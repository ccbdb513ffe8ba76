"""Plaque designs laid out in millimetres as a list of drawing operations.

The layout knows nothing of the output format: the PDF, SVG and PNG backends draw the
same operations, so a plaque looks the same in all three. Origin top left, y down.
"""

import dataclasses
import re

from starqr.plaque import fonts
from starqr.plaque.qr import QUIET_ZONE_MODULES, make_symbol
from starqr.plaque.text_fitting import fit_horizontal, fit_vertical
from starqr.errors import N_, Invalid

# Sober Party style: deep red ground, gold lettering and frame, a white QR panel.
RED = (178, 18, 22)
DARK_RED = (140, 10, 16)
GOLD = (236, 196, 98)
WHITE = (255, 255, 255)
QR_DARK = (0, 0, 0)  # black on white: the highest contrast any camera can get

ORGANISATION = "organisation"
MEMBER = "member"

INSTRUCTION_ZH = "扫码查看评星"
# "Scan the code to see the star rating" (kod-i sirbiju odon-u ünelege-yi üjekü);
# case suffixes are joined with U+202F NARROW NO-BREAK SPACE as the script requires.
INSTRUCTION_MN = "ᠺᠣᠳ\u202fᠢ ᠰᠢᠷᠪᠢᠵᠦ ᠣᠳᠣᠨ\u202fᠤ ᠦᠨᠡᠯᠡᠭᠡ\u202fᠶᠢ ᠦᠵᠡᠬᠦ"
CODE_LABEL_ZH = "编码"
MEMBER_TITLE_ZH = "共产党员"

MIN_MODULE_MM = 0.5  # below this, wear and cheap printing eat modules


@dataclasses.dataclass(frozen=True)
class PlaqueContent:
    """What a plaque shows. Plain data: nothing that changes (stars, scores) goes on it."""

    code: str
    url: str
    kind: str  # "organisation" (branch plaque) or "member" (badge)
    name_zh: str
    name_mn: str = ""
    parent_zh: str = ""
    parent_mn: str = ""


@dataclasses.dataclass(frozen=True)
class SizePreset:
    key: str
    width_mm: float
    height_mm: float
    scan_distance_mm: float  # expected distance between phone and plaque
    label: str

    @property
    def symbol_mm(self):
        """The QR symbol (without quiet zone) is at least a tenth of the scanning distance."""
        return self.scan_distance_mm / 10


SIZE_PRESETS = {
    "plaque-600x400": SizePreset("plaque-600x400", 600, 400, 1500, "牌匾 600×400 mm"),
    "plaque-400x300": SizePreset("plaque-400x300", 400, 300, 1000, "牌匾 400×300 mm"),
    "door-300x200": SizePreset("door-300x200", 300, 200, 700, "门牌 300×200 mm"),
    "card-85x54": SizePreset("card-85x54", 85.6, 54, 250, "胸卡 85.6×54 mm"),
}
DEFAULT_PRESET = {ORGANISATION: "plaque-400x300", MEMBER: "card-85x54"}


class LayoutError(Invalid, ValueError):
    pass


def size_preset(key, kind=ORGANISATION):
    """A preset by key, or a custom "WxH" in millimetres (e.g. "250x180")."""
    if not key:
        key = DEFAULT_PRESET.get(kind, "plaque-400x300")
    if key in SIZE_PRESETS:
        return SIZE_PRESETS[key]
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*[xX×]\s*(\d+(?:\.\d+)?)\s*(?:mm)?\s*", key)
    if not match:
        raise LayoutError(
            N_("未知的尺寸 '%(size)s':请用 %(choices)s 之一,或 宽x高(毫米)"),
            code="unknown_size",
            size=key,
            choices=", ".join(SIZE_PRESETS),
        )
    width, height = float(match.group(1)), float(match.group(2))
    if not (40 <= width <= 2000 and 40 <= height <= 2000):
        raise LayoutError(N_("自定义尺寸每边应在 40 到 2000 毫米之间"), code="size_out_of_range")
    # People step back about three times the plaque's shorter side to read it.
    distance = min(width, height) * 3
    return SizePreset(f"{_fmt(width)}x{_fmt(height)}", width, height, distance, f"{_fmt(width)}×{_fmt(height)} mm")


def _fmt(value):
    return f"{value:g}"


# ---------------------------------------------------------------- operations


@dataclasses.dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: tuple = None
    stroke: tuple = None
    stroke_width: float = 0


@dataclasses.dataclass(frozen=True)
class Text:
    """A horizontal line; (x, y) is the baseline point at `anchor` (start, middle, end)."""

    x: float
    y: float
    size: float
    text: str
    colour: tuple
    script: str = "zh"
    anchor: str = "start"


@dataclasses.dataclass(frozen=True)
class VerticalText:
    """A Mongolian column: the line shaped horizontally, turned 90° clockwise.

    (x, y) is the column's top left corner; its width is the font's ascent plus
    descent; the baseline runs down the column at x + descent.
    """

    x: float
    y: float
    size: float
    text: str
    colour: tuple
    script: str = "mn"

    @property
    def width(self):
        ascent, descent = fonts.metrics(self.script)
        return (ascent + descent) * self.size

    @property
    def length(self):
        return fonts.text_width(self.script, self.text, self.size)


@dataclasses.dataclass(frozen=True)
class QrBlock:
    x: float  # top left of the symbol itself (the quiet zone lies outside)
    y: float
    module: float
    symbol: object
    colour: tuple = QR_DARK


@dataclasses.dataclass
class Layout:
    width: float
    height: float
    operations: list
    symbol: object
    module_mm: float
    background: tuple = RED


# ---------------------------------------------------------------- the design


def check_drawable(content):
    """Refuse, before anything is drawn, a name with characters the shipped fonts lack (never boxes)."""
    for script, text in (
        ("zh", content.name_zh),
        ("zh", content.parent_zh),
        ("mn", content.name_mn),
        ("mn", content.parent_mn),
    ):
        missing = fonts.undrawable(script, text)
        if missing:
            raise LayoutError(
                N_(
                    "%(plaque)s:牌匾字体无法显示「%(text)s」中的 %(missing)s;请更正名称,或把这些字加入 starqr/fonts/build_fonts.py"
                ),
                code="font_cannot_draw",
                plaque=content.code,
                missing=missing,
                text=text,
            )


def layout_plaque(content, preset, ecc="H", symbol=None):
    """Lay out one plaque or badge at the preset's physical size."""
    check_drawable(content)
    if symbol is None:
        symbol = make_symbol(content.url, ecc)
    width, height = preset.width_mm, preset.height_mm
    portrait = height > width
    unit = min(width, height) / 100
    operations = []

    # Frame: a gold rule and a thin inner rule, like an engraved border.
    frame = 2.6 * unit
    operations.append(Rect(frame, frame, width - 2 * frame, height - 2 * frame, stroke=GOLD, stroke_width=0.9 * unit))
    inner_frame = frame + 1.6 * unit
    operations.append(
        Rect(
            inner_frame,
            inner_frame,
            width - 2 * inner_frame,
            height - 2 * inner_frame,
            stroke=GOLD,
            stroke_width=0.3 * unit,
        )
    )
    pad = inner_frame + 4.5 * unit
    box_left, box_top, box_right, box_bottom = pad, pad, width - pad, height - pad
    box_height = box_bottom - box_top

    # QR panel: symbol, white quiet zone of four modules, a gold keyline around it.
    modules = symbol.size + 2 * QUIET_ZONE_MODULES
    below_ratio = 0.30  # instruction and code lines under the panel, as a share of the panel
    if portrait:
        max_panel = min(box_right - box_left, box_height * 0.55)
    else:
        max_panel = min(box_height / (1 + below_ratio), (box_right - box_left) * 0.55)
    wanted_module = max(preset.symbol_mm / symbol.size, MIN_MODULE_MM)
    module = min(wanted_module, max_panel / modules)
    if module < MIN_MODULE_MM:
        raise LayoutError(
            N_("%(size)s 太小,放不下模块为 %(module)s 毫米的二维码"),
            code="size_too_small",
            size=preset.label,
            module=MIN_MODULE_MM,
        )
    if module * symbol.size < preset.symbol_mm * 0.999:
        raise LayoutError(
            N_("%(size)s:二维码达不到 %(symbol)s 毫米,不能满足 %(distance)s 米的扫码距离"),
            code="size_too_small",
            size=preset.label,
            symbol=f"{preset.symbol_mm:g}",
            distance=f"{preset.scan_distance_mm / 1000:g}",
        )
    module = round(module, 3)
    panel = modules * module
    if portrait:
        panel_x = (width - panel) / 2
        panel_y = box_bottom - panel * (1 + below_ratio)
    else:
        panel_x = box_right - panel
        panel_y = box_top + (box_height - panel * (1 + below_ratio)) / 2
    keyline = max(0.15, 0.6 * unit)
    operations.append(Rect(panel_x - keyline, panel_y - keyline, panel + 2 * keyline, panel + 2 * keyline, fill=GOLD))
    operations.append(Rect(panel_x, panel_y, panel, panel, fill=WHITE))
    quiet = QUIET_ZONE_MODULES * module
    operations.append(QrBlock(panel_x + quiet, panel_y + quiet, module, symbol))

    # Under the panel: 扫码查看评星, then the code for typing in.
    centre = panel_x + panel / 2
    instruction_size, _ = fit_horizontal(INSTRUCTION_ZH, "zh", panel, panel * 0.10, panel * 0.10, 1)
    baseline = panel_y + panel + keyline + instruction_size * 1.15
    operations.append(Text(centre, baseline, instruction_size, INSTRUCTION_ZH, GOLD, anchor="middle"))
    code_text = f"{CODE_LABEL_ZH} {content.code[:5]} {content.code[5:]}"
    code_size, _ = fit_horizontal(code_text, "zh", panel, panel * 0.075, panel * 0.075, 1)
    operations.append(Text(centre, baseline + code_size * 1.45, code_size, code_text, GOLD, anchor="middle"))

    # Mongolian instruction: a column just left of the panel (above it when portrait).
    if portrait:
        text_bottom = panel_y - keyline - 2 * unit
        text_right = box_right
    else:
        mn_size, mn_columns = fit_vertical(INSTRUCTION_MN, panel, panel * 0.2, panel * 0.07)
        column_x = panel_x - keyline - 2.5 * unit
        for column in reversed(mn_columns):
            block = VerticalText(0, 0, mn_size, column, GOLD)
            column_x -= block.width
            operations.append(VerticalText(column_x, panel_y, mn_size, column, GOLD))
            column_x -= 0.3 * mn_size
        text_bottom = box_bottom
        text_right = column_x - 3 * unit

    _layout_names(operations, content, box_left, box_top, text_right, text_bottom, unit, portrait)
    return Layout(width, height, operations, symbol, module)


def _layout_names(operations, content, left, top, right, bottom, unit, portrait):
    """Mongolian name columns on the left, the Chinese block beside them."""
    height = bottom - top
    x = left
    # Mongolian: the name, then the parent organisation, each top to bottom, left to right.
    # Parent first, as in the Chinese block where it stands above the name.
    mn_width_budget = (right - left) * 0.30
    mn_parts = [(content.parent_mn, 6 * unit, 1, 0.3), (content.name_mn, 11 * unit, 2, 0.7)]
    for text, max_size, max_columns, share in mn_parts:
        if not text:
            continue
        size, columns = fit_vertical(text, height, mn_width_budget * share, max_size, max_columns)
        for column in columns:
            block = VerticalText(x, top, size, column, GOLD)
            operations.append(block)
            x += block.width + 0.3 * size
        x += 1.5 * unit
    if x > left:
        x += 1.5 * unit
        operations.append(Rect(x, top, max(0.12, 0.35 * unit), height, fill=GOLD))
        x += 5 * unit

    block_width = right - x
    if block_width <= 0:
        raise LayoutError(N_("没有位置放中文名称"), code="no_room")
    centre = x + block_width / 2
    # Parent organisation (or, on a badge, the title 共产党员 above the branch name).
    y = top
    if content.kind == MEMBER:
        title_size, _ = fit_horizontal(MEMBER_TITLE_ZH, "zh", block_width, 12 * unit, 12 * unit, 1)
        y += title_size * 0.95
        operations.append(Text(centre, y, title_size, MEMBER_TITLE_ZH, GOLD, anchor="middle"))
        y += title_size * 0.55
        operations.append(Rect(centre - block_width * 0.3, y, block_width * 0.6, max(0.12, 0.3 * unit), fill=GOLD))
        y += 3 * unit
    parent_size, parent_lines = fit_horizontal(content.parent_zh, "zh", block_width, 18 * unit, 7 * unit, 2)
    # The name takes the middle of what is left; the parent sits under it on a badge,
    # above it on a branch plaque (the hierarchy reads top-down).
    if content.kind == MEMBER:
        name_top = y
        name_bottom = bottom - (len(parent_lines) * parent_size * 1.3 + 2 * unit)
    else:
        for line in parent_lines:
            y += parent_size * 1.05
            operations.append(Text(centre, y, parent_size, line, GOLD, anchor="middle"))
            y += parent_size * 0.25
        y += 3 * unit
        operations.append(Rect(centre - block_width * 0.35, y, block_width * 0.7, max(0.12, 0.3 * unit), fill=GOLD))
        y += 3 * unit
        name_top, name_bottom = y, bottom
    name_size, name_lines = fit_horizontal(
        content.name_zh, "zh", block_width, name_bottom - name_top, 22 * unit, 3, breakable=content.kind != MEMBER
    )
    line_height = name_size * 1.25
    block_height = len(name_lines) * line_height - name_size * 0.25
    y = name_top + (name_bottom - name_top - block_height) / 2
    for line in name_lines:
        y += name_size * 0.95
        operations.append(Text(centre, y, name_size, line, GOLD, anchor="middle"))
        y += line_height - name_size * 0.95
    if content.kind == MEMBER:
        y = bottom - len(parent_lines) * parent_size * 1.3 + parent_size
        for line in parent_lines:
            operations.append(Text(centre, y, parent_size, line, GOLD, anchor="middle"))
            y += parent_size * 1.3
