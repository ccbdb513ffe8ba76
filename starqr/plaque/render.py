"""Draw a plaque layout as PNG (Pillow), SVG (text as outlines) or PDF (ReportLab).

PDF: exact physical size, vector QR (filled rectangles, no bitmap), fonts embedded as
subsets; PDF and SVG QR modules are merged into horizontal runs.
"""

import base64
import contextlib
import functools
import io

from PIL import Image, ImageDraw

from starqr.plaque import fonts
from starqr.plaque.layout import QrBlock, Rect, Text, VerticalText, layout_plaque, size_preset
from starqr.plaque.qr import dark_runs
from starqr.errors import N_, Invalid

MM_PER_INCH = 25.4
POINTS_PER_MM = 72 / MM_PER_INCH
FORMATS = ("pdf", "svg", "png")
DPI_CHOICES = (300, 600)
FALLBACK_DPI = 1200  # Mongolian as an image in PDF/SVG when uharfbuzz is missing


class RenderError(Invalid, ValueError):
    pass


def render_plaque(content, fmt="pdf", size_preset_key=None, dpi=300, ecc="H"):
    """One plaque or badge as bytes: fmt is pdf, svg or png; dpi matters for png only."""
    preset = size_preset(size_preset_key, content.kind)
    layout = layout_plaque(content, preset, ecc)
    if fmt == "png":
        if dpi not in DPI_CHOICES:
            raise RenderError(N_("分辨率应为 300 或 600 dpi,而不是 %(dpi)s"), dpi=dpi)
        buffer = io.BytesIO()
        draw_png(layout, dpi).save(buffer, "PNG", dpi=(dpi, dpi), optimize=False, compress_level=6)
        return buffer.getvalue()
    if fmt == "svg":
        return draw_svg(layout).encode("utf-8")
    if fmt == "pdf":
        # ReportLab loads only when a plaque is drawn (a heavy import)
        from reportlab.pdfgen.canvas import Canvas

        buffer = io.BytesIO()
        canvas = Canvas(
            buffer, pagesize=(layout.width * POINTS_PER_MM, layout.height * POINTS_PER_MM), pageCompression=1
        )
        canvas.setTitle(f"StarQR {content.code}")
        canvas.setAuthor("StarQR")
        draw_pdf(canvas, layout, 0, 0)
        canvas.showPage()
        with binary_streams():
            canvas.save()
        return buffer.getvalue()
    raise RenderError(N_("格式应为 %(choices)s 之一,而不是 %(format)s"), choices=", ".join(FORMATS), format=fmt)


# ---------------------------------------------------------------- PNG


def draw_png(layout, dpi):
    scale = dpi / MM_PER_INCH
    image = Image.new("RGB", (round(layout.width * scale), round(layout.height * scale)), layout.background)
    draw = ImageDraw.Draw(image)

    def px(value):
        return round(value * scale)

    for op in layout.operations:
        if isinstance(op, Rect):
            box = (px(op.x), px(op.y), px(op.x + op.w) - 1, px(op.y + op.h) - 1)
            if op.fill:
                draw.rectangle(box, fill=op.fill)
            if op.stroke:
                half = op.stroke_width / 2
                draw.rectangle(
                    (px(op.x - half), px(op.y - half), px(op.x + op.w + half) - 1, px(op.y + op.h + half) - 1),
                    outline=op.stroke,
                    width=max(1, px(op.stroke_width)),
                )
        elif isinstance(op, Text):
            font = fonts.pillow_font(op.script, max(1, px(op.size)))
            anchor = {"start": "ls", "middle": "ms", "end": "rs"}[op.anchor]
            draw.text(
                (op.x * scale, op.y * scale),
                op.text,
                font=font,
                fill=op.colour,
                anchor=anchor,
                **fonts.pillow_options(op.script),
            )
        elif isinstance(op, VerticalText):
            column = vertical_mask(op.script, op.text, max(1, px(op.size)))
            image.paste(op.colour, (px(op.x), px(op.y)), column)
        elif isinstance(op, QrBlock):
            # Every module is the same whole number of pixels: modules of 40 and 41 px side by side
            # blur into each other after a phone's capture and JPEG. The symbol is centred on its
            # exact place, so it moves by under half a module into its own quiet zone.
            left, top, module = qr_pixel_grid(op, dpi)
            for row, first, length in dark_runs(op.symbol):
                draw.rectangle(
                    (
                        left + first * module,
                        top + row * module,
                        left + (first + length) * module - 1,
                        top + (row + 1) * module - 1,
                    ),
                    fill=op.colour,
                )
    return image


def qr_pixel_grid(block, dpi):
    """(left, top, module) in whole pixels for a QrBlock drawn at DPI."""
    scale = dpi / MM_PER_INCH
    module = max(1, round(block.module * scale))
    exact = block.symbol.size * block.module * scale
    shift = (exact - block.symbol.size * module) / 2
    return round(block.x * scale + shift), round(block.y * scale + shift), module


def vertical_mask(script, text, size_px):
    """An L-mode mask of a Mongolian line shaped horizontally and turned 90° clockwise."""
    font = fonts.pillow_font(script, size_px)
    ascent, descent = fonts.metrics(script)
    height = round((ascent + descent) * size_px)
    length = max(1, round(fonts.text_width(script, text, size_px)))
    line = Image.new("L", (length + 2, height), 0)
    ImageDraw.Draw(line).text(
        (0, round(ascent * size_px)), text, font=font, fill=255, anchor="ls", **fonts.pillow_options(script)
    )
    return line.transpose(Image.Transpose.ROTATE_270)  # clockwise: the line now runs downwards


# ---------------------------------------------------------------- SVG


def _hex(colour):
    return "#%02x%02x%02x" % colour


def _n(value):
    return f"{value:.3f}".rstrip("0").rstrip(".")


def draw_svg(layout):
    """An SVG in millimetres; text as glyph outlines so it renders the same everywhere."""
    defs = {}
    body = []
    body.append(f'<rect width="{_n(layout.width)}" height="{_n(layout.height)}" fill="{_hex(layout.background)}"/>')
    for op in layout.operations:
        if isinstance(op, Rect):
            attributes = f'x="{_n(op.x)}" y="{_n(op.y)}" width="{_n(op.w)}" height="{_n(op.h)}"'
            if op.fill:
                body.append(f'<rect {attributes} fill="{_hex(op.fill)}"/>')
            if op.stroke:
                body.append(
                    f'<rect {attributes} fill="none" stroke="{_hex(op.stroke)}" stroke-width="{_n(op.stroke_width)}"/>'
                )
        elif isinstance(op, Text):
            glyphs = fonts.outlines(op.script).unshaped(op.text) if op.script == "zh" else _shaped(op)
            units = fonts.outlines(op.script).units
            scale = op.size / units
            advance = sum(g[3] for g in glyphs) * scale
            x = op.x - {"start": 0, "middle": advance / 2, "end": advance}[op.anchor]
            body.append(f'<g fill="{_hex(op.colour)}">' + _glyph_uses(op.script, glyphs, x, op.y, scale, defs) + "</g>")
        elif isinstance(op, VerticalText):
            ascent, descent = fonts.metrics(op.script)
            baseline_x = op.x + descent * op.size
            if fonts.can_shape_vectors():
                glyphs = fonts.outlines(op.script).shaped(op.text, op.script)
                scale = op.size / fonts.outlines(op.script).units
                body.append(
                    f'<g fill="{_hex(op.colour)}" transform="translate({_n(baseline_x)} {_n(op.y)}) '
                    f'rotate(90)">' + _glyph_uses(op.script, glyphs, 0, 0, scale, defs) + "</g>"
                )
            else:
                body.append(_fallback_image_svg(op))
        elif isinstance(op, QrBlock):
            path = "".join(
                f"M{_n(op.x + first * op.module)} {_n(op.y + row * op.module)}"
                f"h{_n(length * op.module)}v{_n(op.module)}h{_n(-length * op.module)}z"
                for row, first, length in dark_runs(op.symbol)
            )
            body.append(f'<path class="qr" fill="{_hex(op.colour)}" d="{path}"/>')
    definitions = "".join(f'<path id="{key}" d="{d}"/>' for key, d in defs.items())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{_n(layout.width)}mm" height="{_n(layout.height)}mm" '
        f'viewBox="0 0 {_n(layout.width)} {_n(layout.height)}">'
        f"<defs>{definitions}</defs>" + "".join(body) + "</svg>\n"
    )


def _shaped(op):
    if fonts.can_shape_vectors():
        return fonts.outlines(op.script).shaped(op.text, op.script)
    return fonts.outlines(op.script).unshaped(op.text)


def _glyph_uses(script, glyphs, x, y, scale, defs):
    outline = fonts.outlines(script)
    parts = []
    pen_x = 0
    for name, x_offset, y_offset, advance in glyphs:
        key = f"{script}-{name}".replace(".", "_")
        if key not in defs:
            defs[key] = outline.path(name)
        if defs[key]:
            gx = x + (pen_x + x_offset) * scale
            gy = y - y_offset * scale
            parts.append(
                f'<use xlink:href="#{key}" transform="matrix({_n(scale)} 0 0 {_n(-scale)} {_n(gx)} {_n(gy)})"/>'
            )
        pen_x += advance
    return "".join(parts)


def _fallback_image_svg(op):
    mask = vertical_mask(op.script, op.text, round(op.size / MM_PER_INCH * FALLBACK_DPI))
    tile = Image.new("RGBA", mask.size, op.colour + (0,))
    tile.putalpha(mask)
    buffer = io.BytesIO()
    tile.save(buffer, "PNG")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'<image x="{_n(op.x)}" y="{_n(op.y)}" width="{_n(mask.size[0] * MM_PER_INCH / FALLBACK_DPI)}" '
        f'height="{_n(mask.size[1] * MM_PER_INCH / FALLBACK_DPI)}" xlink:href="data:image/png;base64,{data}"/>'
    )


# ---------------------------------------------------------------- PDF


def draw_pdf(canvas, layout, origin_x_mm, origin_y_mm, page_height_mm=None):
    """Draw a layout on a ReportLab canvas with its top left at (origin_x_mm, origin_y_mm)
    measured from the page's top left (the sheet places many badges on one page)."""
    names = fonts.register_reportlab()
    page_height = page_height_mm if page_height_mm is not None else layout.height
    k = POINTS_PER_MM

    def X(value):
        return (origin_x_mm + value) * k

    def Y(value):  # layout y (down) to PDF y (up)
        return (page_height - origin_y_mm - value) * k

    canvas.saveState()
    canvas.setFillColorRGB(*_rgb(layout.background))
    canvas.rect(X(0), Y(layout.height), layout.width * k, layout.height * k, stroke=0, fill=1)
    for op in layout.operations:
        if isinstance(op, Rect):
            if op.fill:
                canvas.setFillColorRGB(*_rgb(op.fill))
                canvas.rect(X(op.x), Y(op.y + op.h), op.w * k, op.h * k, stroke=0, fill=1)
            if op.stroke:
                canvas.setStrokeColorRGB(*_rgb(op.stroke))
                canvas.setLineWidth(op.stroke_width * k)
                canvas.rect(X(op.x), Y(op.y + op.h), op.w * k, op.h * k, stroke=1, fill=0)
        elif isinstance(op, Text):
            canvas.setFillColorRGB(*_rgb(op.colour))
            canvas.setFont(names[op.script], op.size * k)
            draw = {"start": canvas.drawString, "middle": canvas.drawCentredString, "end": canvas.drawRightString}[
                op.anchor
            ]
            draw(X(op.x), Y(op.y), op.text)
        elif isinstance(op, VerticalText):
            ascent, descent = fonts.metrics(op.script)
            if fonts.can_shape_vectors():
                canvas.setFillColorRGB(*_rgb(op.colour))
                _draw_pdf_outlines(canvas, op, X(op.x + descent * op.size), Y(op.y), k)
            else:
                _fallback_image_pdf(canvas, op, X, Y)
        elif isinstance(op, QrBlock):
            canvas.setFillColorRGB(*_rgb(op.colour))
            _draw_pdf_qr(canvas, op, X(op.x), Y(op.y), op.module * k)
    canvas.restoreState()


def _draw_pdf_outlines(canvas, op, baseline_x, top_y, k):
    """Vertical Mongolian as glyph outlines shaped by HarfBuzz, turned 90° clockwise.

    ReportLab's own (experimental) shaper leaves Mongolian letters in their isolated
    forms, so the PDF carries HarfBuzz's glyphs as vector outlines instead.
    """
    outline = fonts.outlines(op.script)
    canvas.saveState()
    canvas.translate(baseline_x, top_y)
    canvas.rotate(-90)  # clockwise: the line runs down the page, letter tops to the right
    scale = op.size * k / outline.units
    canvas.scale(scale, scale)
    pen_x = 0
    for name, x_offset, y_offset, advance in outline.shaped(op.text, op.script):
        dx, dy = pen_x + x_offset, y_offset
        # Cached operators per glyph, one fill per glyph, through the canvas's public addLiteral.
        canvas.addLiteral(f"q 1 0 0 1 {dx} {dy} cm {_glyph_operators(op.script, name)} f Q")
        pen_x += advance
    canvas.restoreState()


@functools.lru_cache(maxsize=4096)
def _glyph_operators(script, name):
    """PDF path operators of one glyph in font units (quadratics turned into cubics)."""
    # fontTools loads only when glyphs are measured or drawn (a heavy import)
    from fontTools.pens.basePen import BasePen

    outline = fonts.outlines(script)
    parts = []

    def number(value):
        return f"{value:.1f}".rstrip("0").rstrip(".")

    class Pen(BasePen):
        def _moveTo(self, p):
            parts.append(f"{number(p[0])} {number(p[1])} m")

        def _lineTo(self, p):
            parts.append(f"{number(p[0])} {number(p[1])} l")

        def _curveToOne(self, p1, p2, p3):
            parts.append(" ".join(number(v) for v in (*p1, *p2, *p3)) + " c")

        def _closePath(self):
            parts.append("h")

    outline.glyph_set[name].draw(Pen(outline.glyph_set))
    return " ".join(parts) or "0 0 m"


def _draw_pdf_qr(canvas, op, left, top, module):
    """The symbol as one filled path of rectangles, in module units under a scaling matrix.

    Integer coordinates keep the content stream small and exact; writing the operators
    directly avoids ReportLab's per-number formatting, which dominated sheet time.
    """
    canvas.saveState()
    canvas.transform(module, 0, 0, module, left, top)
    operators = " ".join(f"{first} {-row - 1} {length} 1 re" for row, first, length in dark_runs(op.symbol))
    canvas.addLiteral(operators + " f")  # public: raw operators, no per-number formatting
    canvas.restoreState()


def binary_streams():
    """Configure ReportLab once (process-wide) to save PDF streams zlib-compressed without ASCII85:
    a third smaller and much faster. useA85 is one of ReportLab's documented settings (rl_settings,
    also settable as RL_useA85=0); it is set once and never flipped back and forth per render,
    so concurrent renders in threads cannot see each other's value. Returns a null context for
    the callers' `with`."""
    # ReportLab loads only when a plaque is drawn (a heavy import)
    from reportlab import rl_config

    rl_config.useA85 = 0
    return contextlib.nullcontext()


def _rgb(colour):
    return tuple(c / 255 for c in colour)


def _fallback_image_pdf(canvas, op, X, Y):
    # ReportLab loads only when a plaque is drawn (a heavy import)
    from reportlab.lib.utils import ImageReader

    image = _fallback_tile(op.script, op.text, round(op.size / MM_PER_INCH * FALLBACK_DPI), op.colour)
    width = image.size[0] * MM_PER_INCH / FALLBACK_DPI
    height = image.size[1] * MM_PER_INCH / FALLBACK_DPI
    canvas.drawImage(
        ImageReader(image), X(op.x), Y(op.y + height), width * POINTS_PER_MM, height * POINTS_PER_MM, mask="auto"
    )


@functools.lru_cache(maxsize=64)
def _fallback_tile(script, text, size_px, colour):
    mask = vertical_mask(script, text, size_px)
    tile = Image.new("RGBA", mask.size, colour + (0,))
    tile.putalpha(mask)
    return tile
