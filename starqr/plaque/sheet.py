"""Batch print sheets: many badges per A4/A3 page with crop marks, and a cover listing.

Streams: each page is drawn and closed before the next one is laid out, and only the
small content records are kept, never images. QR matrices (the costly part, mask
selection in pure Python) are computed ahead by worker processes while the main
process draws.
"""

import concurrent.futures
import dataclasses
import datetime
import itertools
import os

from starqr.plaque import fonts
from starqr.plaque.layout import GOLD, MEMBER, RED, layout_plaque, size_preset
from starqr.plaque.qr import make_symbol
from starqr.plaque.render import POINTS_PER_MM, binary_streams, draw_pdf
from starqr.errors import N_, Invalid

PAPERS = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
MARGIN_MM = 10.0
BLEED_MM = 1.5  # the red ground runs past the trim so a slightly off cut shows no white
MARK_OFFSET_MM = 2.5  # crop marks start outside the bleed
MARK_LENGTH_MM = 4.0
GAP_MM = 2 * MARK_OFFSET_MM + 5.0  # room for a crop mark between neighbours
COVER_ROWS_PER_COLUMN = 56
COVER_COLUMNS = 2


class SheetError(Invalid, ValueError):
    pass


@dataclasses.dataclass(frozen=True)
class SheetGrid:
    paper: str
    page_width: float
    page_height: float
    columns: int
    rows: int
    item_width: float
    item_height: float
    left: float
    top: float

    @property
    def per_page(self):
        return self.columns * self.rows

    def position(self, index_on_page):
        column, row = index_on_page % self.columns, index_on_page // self.columns
        return (self.left + column * (self.item_width + GAP_MM), self.top + row * (self.item_height + GAP_MM))


def sheet_grid(paper, preset):
    """The grid that fits the most badges, trying the paper both ways round."""
    if paper not in PAPERS:
        raise SheetError(N_("纸张应为 A4 或 A3,而不是 %(paper)s"), paper=paper)
    best = None
    short, long = PAPERS[paper]
    for page_width, page_height in ((short, long), (long, short)):
        usable_w, usable_h = page_width - 2 * MARGIN_MM, page_height - 2 * MARGIN_MM
        columns = int((usable_w + GAP_MM) // (preset.width_mm + GAP_MM))
        rows = int((usable_h + GAP_MM) // (preset.height_mm + GAP_MM))
        if columns * rows and (best is None or columns * rows > best.per_page):
            used_w = columns * preset.width_mm + (columns - 1) * GAP_MM
            used_h = rows * preset.height_mm + (rows - 1) * GAP_MM
            best = SheetGrid(
                paper,
                page_width,
                page_height,
                columns,
                rows,
                preset.width_mm,
                preset.height_mm,
                (page_width - used_w) / 2,
                (page_height - used_h) / 2,
            )
    if best is None:
        raise SheetError(N_("%(size)s 放不进 %(paper)s 纸"), size=preset.label, paper=paper)
    return best


def _symbol_job(args):
    url, ecc = args
    return make_symbol(url, ecc)


def _symbols(contents, ecc, workers):
    """QR symbols in the order of contents, computed ahead in worker processes."""
    jobs = [(content.url, ecc) for content in contents]
    if workers <= 1 or len(jobs) < 64:
        for job in jobs:
            yield _symbol_job(job)
        return
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(_symbol_job, jobs, chunksize=16)


def write_sheet(contents, paper, path, progress=None, size_preset_key="card-85x54", ecc="H", title="", workers=None):
    """Write a print sheet PDF of badges to `path` (a filename or binary file object).

    contents: PlaqueContent records, drawn in the order given (callers pass code order).
    progress: optional callable taking the number of badges just drawn (click.progressbar's
    `update` fits). Returns the number of badges written.
    """
    # ReportLab loads only when a plaque is drawn (a heavy import)
    from reportlab.pdfgen.canvas import Canvas

    contents = list(contents)
    preset = size_preset(size_preset_key, MEMBER)
    grid = sheet_grid(paper, preset)
    if workers is None:
        workers = min(2, os.cpu_count() or 1)
    fonts.register_reportlab()
    canvas = Canvas(
        path, pagesize=(grid.page_width * POINTS_PER_MM, grid.page_height * POINTS_PER_MM), pageCompression=1
    )
    canvas.setTitle(title or "StarQR print sheet")
    canvas.setAuthor("StarQR")
    pages = -(-len(contents) // grid.per_page) if contents else 0
    _draw_cover(canvas, grid, contents, preset, pages, title)

    symbols = _symbols(contents, ecc, workers)
    for page_number in range(pages):
        batch = contents[page_number * grid.per_page : (page_number + 1) * grid.per_page]
        for index, (content, symbol) in enumerate(zip(batch, itertools.islice(symbols, len(batch)))):
            x, y = grid.position(index)
            _draw_bleed(canvas, grid, x, y)
            layout = layout_plaque(content, preset, ecc, symbol=symbol)
            draw_pdf(canvas, layout, x, y, page_height_mm=grid.page_height)
            _draw_crop_marks(canvas, grid, x, y)
        _draw_footer(canvas, grid, f"{title}  第 {page_number + 1} / {pages} 页  {batch[0].code} – {batch[-1].code}")
        canvas.showPage()
        if progress:
            progress(len(batch))
    with binary_streams():
        canvas.save()
    return len(contents)


def _draw_bleed(canvas, grid, x, y):
    k = POINTS_PER_MM
    canvas.setFillColorRGB(*(c / 255 for c in RED))
    canvas.rect(
        (x - BLEED_MM) * k,
        (grid.page_height - y - grid.item_height - BLEED_MM) * k,
        (grid.item_width + 2 * BLEED_MM) * k,
        (grid.item_height + 2 * BLEED_MM) * k,
        stroke=0,
        fill=1,
    )


def _draw_crop_marks(canvas, grid, x, y):
    k = POINTS_PER_MM
    canvas.setStrokeColorRGB(0, 0, 0)
    canvas.setLineWidth(0.25)
    for corner_x, direction_x in ((x, -1), (x + grid.item_width, 1)):
        for corner_y, direction_y in ((y, -1), (y + grid.item_height, 1)):
            pdf_y = grid.page_height - corner_y
            # Horizontal mark on the trim line, vertical mark on the other trim line.
            start = corner_x + direction_x * MARK_OFFSET_MM
            canvas.line(start * k, pdf_y * k, (start + direction_x * MARK_LENGTH_MM) * k, pdf_y * k)
            start_y = pdf_y - direction_y * MARK_OFFSET_MM
            canvas.line(corner_x * k, start_y * k, corner_x * k, (start_y - direction_y * MARK_LENGTH_MM) * k)


def _draw_footer(canvas, grid, text):
    canvas.setFillColorRGB(0.3, 0.3, 0.3)
    canvas.setFont(fonts.REPORTLAB_NAMES["zh"], 7)
    canvas.drawString(MARGIN_MM * POINTS_PER_MM, 5 * POINTS_PER_MM, text)


def _draw_cover(canvas, grid, contents, preset, pages, title):
    """Cover pages: what is on the sheet, in the order it is printed."""
    k = POINTS_PER_MM
    zh = fonts.REPORTLAB_NAMES["zh"]
    per_cover = COVER_ROWS_PER_COLUMN * COVER_COLUMNS
    cover_pages = max(1, -(-len(contents) // per_cover))
    column_width = (grid.page_width - 2 * MARGIN_MM) / COVER_COLUMNS
    for cover in range(cover_pages):
        top = grid.page_height - MARGIN_MM
        canvas.setFillColorRGB(*(c / 255 for c in RED))
        canvas.rect(MARGIN_MM * k, (top - 14) * k, (grid.page_width - 2 * MARGIN_MM) * k, 14 * k, stroke=0, fill=1)
        canvas.setFillColorRGB(*(c / 255 for c in GOLD))
        canvas.setFont(zh, 16)
        canvas.drawString((MARGIN_MM + 4) * k, (top - 9.5) * k, "党员挂牌印刷单")
        canvas.setFillColorRGB(0, 0, 0)
        canvas.setFont(zh, 9)
        summary = (
            f"{title}  共 {len(contents)} 枚  {preset.label}  {grid.paper} "
            f"每页 {grid.per_page} 枚 ({grid.columns}×{grid.rows})  共 {pages} 页  "
            f"按编码排序  生成于 {datetime.date.today().isoformat()}"
        )
        canvas.drawString(MARGIN_MM * k, (top - 20) * k, summary)
        canvas.setFont(zh, 7)
        rows = contents[cover * per_cover : (cover + 1) * per_cover]
        for index, content in enumerate(rows):
            number = cover * per_cover + index
            column, row = index // COVER_ROWS_PER_COLUMN, index % COVER_ROWS_PER_COLUMN
            x = MARGIN_MM + column * column_width
            y = top - 27 - row * 4.4
            page, slot = number // grid.per_page + 1, number % grid.per_page + 1
            line = f"{number + 1:>4}  P{page}-{slot:<2}  {content.code}  {content.name_zh}  {content.parent_zh}"
            canvas.drawString(x * k, y * k, line[:60])
        canvas.setFont(zh, 7)
        canvas.drawString(MARGIN_MM * k, 5 * k, f"封面 {cover + 1} / {cover_pages}")
        canvas.showPage()
