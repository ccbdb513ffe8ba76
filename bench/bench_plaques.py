"""Plaque rendering throughput, a 1,000-badge sheet, and the bare QR matrix baseline.

Run: .venv/bin/python bench/bench_plaques.py [--badges 1000]
Makes its own data (no database). Prints, in one run:
  - the qrcode matrix time (StarQR's one encoder), beside segno's for the same codes when
    segno happens to be installed (the measurement behind keeping qrcode; see starqr/plaque/qr.py),
  - plaques per second per format and preset,
  - the time for a 1,000-badge A4 sheet PDF (target: under 10 s),
each with its ratio to the bare QR matrix generation of the same codes.
"""

import argparse
import os
import random
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from starqr.plaque import PlaqueContent, render_plaque, write_sheet  # noqa: E402
from starqr.plaque import qr  # noqa: E402

BASE = "HTTPS://STARQR.EXAMPLE.CN/Q/"
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = "秀兰明华建国志强丽娟海燕文军巴特尔乌云其木格"
MN_NAMES = ["ᠪᠠᠭᠠᠲᠤᠷ", "ᠰᠠᠷᠠᠨᠭᠡᠷᠡᠯ", "ᠤᠶᠤᠨ", "ᠴᠢᠮᠡᠭ", "ᠬᠠᠰᠪᠠᠭᠠᠲᠤᠷ"]


def make_contents(count, seed=7):
    rng = random.Random(seed)
    contents = []
    for index in range(count):
        code = "".join(rng.choice(ALPHABET) for _ in range(10))
        branch = f"第{index // 40 + 1}党支部"
        contents.append(
            PlaqueContent(
                code=code,
                url=BASE + code,
                kind="member",
                name_zh=rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
                name_mn=rng.choice(MN_NAMES),
                parent_zh="海流图镇乌兰社区" + branch,
                parent_mn="ᠤᠯᠠᠭᠠᠨ ᠬᠣᠷᠢᠶ᠎ᠠ",
            )
        )
    return sorted(contents, key=lambda c: c.code)


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def _segno_matrix(data, ecc):
    import segno  # comparison only: StarQR itself does not use segno

    symbol = segno.make_qr(data, error=ecc.lower(), mode="alphanumeric", boost_error=False)
    return symbol.version, tuple(tuple(bool(cell) for cell in row) for row in symbol.matrix)


def _engines():
    engines = {"qrcode": qr._matrix}
    try:
        import segno  # noqa: F401

        engines["segno"] = _segno_matrix
    except ImportError:
        pass
    return engines


def matrix_baseline(contents, engine="qrcode"):
    qr.make_symbol.cache_clear()
    matrix = _engines()[engine]
    for content in contents:
        matrix(content.url, "H")


def render_many(contents, fmt, preset, dpi=300):
    qr.make_symbol.cache_clear()  # count the QR work in every plaque, as in production
    for content in contents:
        render_plaque(content, fmt, preset, dpi=dpi)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--badges", type=int, default=1000)
    parser.add_argument("--per-format", type=int, default=60)
    args = parser.parse_args()

    contents = make_contents(max(args.badges, args.per_format))
    # Warm up: fonts load once per process (ReportLab parses the CJK font, Pillow opens it).
    render_plaque(contents[0], "pdf", "card-85x54")
    render_plaque(contents[0], "png", "card-85x54")
    render_plaque(contents[0], "svg", "card-85x54")

    sample = contents[: args.per_format]
    print(f"QR matrix baseline, {len(sample)} codes, level H, alphanumeric, URL of {len(sample[0].url)} chars")
    engine_times = {}
    for _round in range(2):  # interleaved, best of two: the machine is shared
        for engine in _engines():
            seconds, _ = timed(matrix_baseline, sample, engine)
            engine_times[engine] = min(engine_times.get(engine, seconds), seconds / len(sample))
    for engine, seconds in engine_times.items():
        print(
            f"  {engine:<8} {seconds * 1000:7.2f} ms per matrix"
            + ("  (StarQR's encoder)" if engine == "qrcode" else "  (comparison only)")
        )
    baseline = engine_times["qrcode"]

    print(f"\nPlaques per second ({len(sample)} each; ratio = time per plaque / bare matrix time)")
    print(f"  {'format':<6} {'preset':<16} {'per s':>8} {'ms each':>9} {'ratio':>7}")
    for fmt, preset, dpi in (
        ("pdf", "card-85x54", 300),
        ("svg", "card-85x54", 300),
        ("png", "card-85x54", 300),
        ("png", "card-85x54", 600),
        ("pdf", "plaque-600x400", 300),
        ("svg", "plaque-600x400", 300),
    ):
        count = len(sample) if preset == "card-85x54" else max(10, len(sample) // 4)
        seconds, _ = timed(render_many, sample[:count], fmt, preset, dpi)
        each = seconds / count
        label = f"{fmt}{'@' + str(dpi) if fmt == 'png' else ''}"
        print(f"  {label:<6} {preset:<16} {1 / each:8.1f} {each * 1000:9.1f} {each / baseline:7.1f}")
    count = 4
    seconds, _ = timed(render_many, sample[:count], "png", "plaque-600x400", 300)
    each = seconds / count
    print(f"  {'png@300':<6} {'plaque-600x400':<16} {1 / each:8.1f} {each * 1000:9.1f} {each / baseline:7.1f}")

    badges = contents[: args.badges]
    qr.make_symbol.cache_clear()
    seconds_matrix, _ = timed(matrix_baseline, badges)
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "sheet.pdf")
        qr.make_symbol.cache_clear()
        seconds_sheet, _ = timed(write_sheet, badges, "A4", path, title="bench")
        size = os.path.getsize(path)
    print(
        f"\n{len(badges)}-badge A4 sheet PDF: {seconds_sheet:.2f} s ({size / 1e6:.1f} MB), "
        f"target < 10 s: {'OK' if seconds_sheet < 10 else 'MISSED'}"
    )
    print(
        f"  bare QR matrices for the same {len(badges)} codes: {seconds_matrix:.2f} s "
        f"(single process); sheet / matrices = {seconds_sheet / seconds_matrix:.2f} "
        f"(the sheet computes matrices in {min(2, os.cpu_count() or 1)} worker processes)"
    )


if __name__ == "__main__":
    main()
