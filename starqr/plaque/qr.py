"""QR symbols for plaques: upper-case URL, alphanumeric mode, smallest version.

Two encoders are wired in so the benchmark can compare them on the same codes
(bench/bench_plaques.py). Both give version 4 at level H for a production URL; warm,
`segno` measured faster here (about 5.0 ms against 6.1 ms per symbol, mask selection
included), so it is the default.
"""
import dataclasses
import functools
from starqr.errors import Invalid

ECC_LEVELS = ("H", "Q")
QUIET_ZONE_MODULES = 4  # the full quiet zone the standard asks for
DEFAULT_ENGINE = "segno"


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
        raise QrError(f"error correction must be one of {', '.join(ECC_LEVELS)}, not {ecc!r}")
    if data != data.upper():
        raise QrError("a plaque URL must be upper case so the symbol uses alphanumeric mode")


def _matrix_qrcode(data, ecc):
    import qrcode
    from qrcode.util import MODE_ALPHA_NUM, QRData
    levels = {"H": qrcode.constants.ERROR_CORRECT_H, "Q": qrcode.constants.ERROR_CORRECT_Q}
    symbol = qrcode.QRCode(error_correction=levels[ecc], border=0)
    symbol.add_data(QRData(data.encode("ascii"), mode=MODE_ALPHA_NUM))
    symbol.make(fit=True)  # smallest version that holds the data; best mask by penalty
    return symbol.version, tuple(tuple(bool(cell) for cell in row) for row in symbol.get_matrix())


def _matrix_segno(data, ecc):
    import segno
    symbol = segno.make_qr(data, error=ecc.lower(), mode="alphanumeric", boost_error=False)
    return symbol.version, tuple(tuple(bool(cell) for cell in row) for row in symbol.matrix)


ENGINES = {"qrcode": _matrix_qrcode, "segno": _matrix_segno}


@functools.lru_cache(maxsize=4096)
def make_symbol(data, ecc="H", engine=DEFAULT_ENGINE):
    """The QR symbol for `data` (an upper-case URL) at error correction `ecc`."""
    _check(data, ecc)
    version, matrix = ENGINES[engine](data, ecc)
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
