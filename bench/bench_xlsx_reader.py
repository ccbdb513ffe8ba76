"""XLSX reader benchmark: the import reader (xlsx_guard + python-calamine) on a 100,000-row sheet,
beside a baseline measured in the same run: python-calamine alone, with no guard (what an
unguarded reader would cost, and what a 694-byte r="ZZZZZZZ2" file would kill).

    .venv/bin/python bench/bench_xlsx_reader.py [--rows 100000]
"""

import argparse
import io
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from starqr.services import imports  # noqa: E402
from starqr.services.imports.xlsx_guard import check_xlsx  # noqa: E402


def best_of(runs, function):
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    rows = [[f"CODE{i % 5000:06d}", f"党员{i}", "study", "", 1, "2025-05-01", "学习"] for i in range(options.rows)]
    data = imports.write_xlsx(rows)

    def calamine_alone():
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        return sheet.to_python(skip_empty_area=False)

    baseline = best_of(options.runs, calamine_alone)
    guard = best_of(options.runs, lambda: check_xlsx(data))
    reader = best_of(options.runs, lambda: sum(1 for _ in imports.read_xlsx(data)))
    print(f"{options.rows} rows, {len(data) / 1e6:.1f} MB xlsx, best of {options.runs}")
    print(f"  baseline  calamine alone (no guard)     {baseline:6.2f} s")
    print(f"  guard     xlsx_guard.check_xlsx         {guard:6.2f} s")
    print(f"  reader    guard + calamine + cell map   {reader:6.2f} s  ({reader / baseline:.1f}x the baseline)")


if __name__ == "__main__":
    main()
