"""QR symbols for plaques: upper-case URL, alphanumeric mode, smallest version.

One encoder: `qrcode`, the one the design names. bench/bench_plaques.py still times
`segno` on the same codes when it is installed: on a 1,000-badge sheet it was not
decisively faster (matrix 12.1 ms against 12.2 ms per symbol on a loaded machine; sheet
18.0 s against 21.1 s, best of two interleaved rounds), so a second encoder is not worth
its weight. Both give version 4 at level H for a production URL.
"""

import dataclasses
import functools

import qrcode
from qrcode.util import MODE_ALPHA_NUM, QRData

from starqr.errors import N_, Invalid

ECC_LEVELS = ("H", "Q")
QUIET_ZONE_MODULES = 4  # the full quiet zone the standard asks for


@dataclasses.dataclass(frozen=True)
class QrSymbol:
    data: str
    ecc: str
    version: int
    matrix: tuple  # rows of bools, True = dark; no quiet zone

    @property
    def size(self):
        return len(self.matrix)


class QrError(Invalid, ValueError):
    pass


def _check(data, ecc):
    if ecc not in ECC_LEVELS:
        raise QrError(N_("纠错等级应为 %(choices)s 之一,而不是 %(ecc)s"), choices=", ".join(ECC_LEVELS), ecc=ecc)
    if data != data.upper():
        raise QrError(N_("牌匾网址须为大写,二维码才能使用字母数字模式"))


def _matrix(data, ecc):
    """(version, rows of bools) from qrcode: smallest version, best mask by penalty."""
    levels = {"H": qrcode.constants.ERROR_CORRECT_H, "Q": qrcode.constants.ERROR_CORRECT_Q}
    symbol = qrcode.QRCode(error_correction=levels[ecc], border=0)
    symbol.add_data(QRData(data.encode("ascii"), mode=MODE_ALPHA_NUM))
    symbol.make(fit=True)  # smallest version that holds the data; best mask by penalty
    return symbol.version, tuple(tuple(bool(cell) for cell in row) for row in symbol.get_matrix())


@functools.lru_cache(maxsize=4096)
def make_symbol(data, ecc="H"):
    """The QR symbol for `data` (an upper-case URL) at error correction `ecc`."""
    _check(data, ecc)
    version, matrix = _matrix(data, ecc)
    return QrSymbol(data=data, ecc=ecc, version=version, matrix=matrix)


def dark_runs(symbol):
    """Horizontal runs of dark modules as (row, first column, length).

    Drawing runs instead of single modules keeps PDF and SVG small and avoids hairline
    seams between neighbouring modules in some viewers.
    """
    runs = []
    for y, row in enumerate(symbol.matrix):
        x = 0
        size = len(row)
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append((y, start, x - start))
            else:
                x += 1
    return runs
