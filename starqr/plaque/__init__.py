"""Plaque and badge rendering: plain data in, bytes out. No Flask, no database.

Public API:
    PlaqueContent                      what a plaque shows
    render_plaque(content, fmt, size_preset_key=None, dpi=300, ecc="H") -> bytes
    write_sheet(contents, paper, path, progress=None, ...) -> int
    export_codes(rows, fmt) -> bytes;  write_codes(rows, fmt, stream)
    SIZE_PRESETS, size_preset(key, kind), make_symbol(url, ecc)
"""

from starqr.plaque.export import EXPORT_COLUMNS, EXPORT_FORMATS, ExportError, export_codes, write_codes
from starqr.plaque.layout import (
    DEFAULT_PRESET,
    INSTRUCTION_MN,
    INSTRUCTION_ZH,
    MEMBER,
    ORGANISATION,
    SIZE_PRESETS,
    LayoutError,
    PlaqueContent,
    layout_plaque,
    size_preset,
)
from starqr.plaque.qr import ECC_LEVELS, QrError, make_symbol
from starqr.plaque.render import DPI_CHOICES, FORMATS, RenderError, render_plaque
from starqr.plaque.sheet import PAPERS, SheetError, write_sheet

PLAQUE_ERRORS = (LayoutError, QrError, RenderError, SheetError, ExportError)

__all__ = [
    "PlaqueContent",
    "render_plaque",
    "write_sheet",
    "export_codes",
    "write_codes",
    "make_symbol",
    "layout_plaque",
    "size_preset",
    "SIZE_PRESETS",
    "DEFAULT_PRESET",
    "FORMATS",
    "DPI_CHOICES",
    "ECC_LEVELS",
    "PAPERS",
    "EXPORT_COLUMNS",
    "EXPORT_FORMATS",
    "PLAQUE_ERRORS",
    "ORGANISATION",
    "MEMBER",
    "INSTRUCTION_ZH",
    "INSTRUCTION_MN",
]
