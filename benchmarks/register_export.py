"""Measure time and peak memory of register export (Mẫu 03) to XLSX and PDF.

Usage:
    .venv/bin/python benchmarks/register_export.py [--rows 10000 100000]
        [--formats xlsx pdf] [--out DIR]

Rows are synthetic entries of the case-acceptance register (Mẫu 03) with Vietnamese
names, made by a generator, with a closing line after each quarter. Each export
runs in its own child process, so the peak resident set size (ru_maxrss) belongs to
that export alone. "base" is the child's resident size after imports and font
registration, before the first row. The gap between peak and base is what the
export itself used. "CPU s" is the child's processor time, which varies less than
wall-clock seconds when other programs share the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

SURNAMES = (
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý"
).split()
MIDDLE_NAMES = "Văn Thị Hữu Đức Minh Thanh Ngọc Quang Thu Xuân".split()
GIVEN_NAMES = (
    "An Bình Cường Dũng Giang Hà Hải Hạnh Hiếu Hoa Hùng Hương Khánh Lan Linh Long "
    "Mai Nam Nga Phúc Phương Quân Sơn Tâm Thảo Trang Tuấn Uyên Việt Yến"
).split()
PLACES = [
    "xã Hưng Đông, tỉnh Nghệ An",
    "phường Vinh Phú, tỉnh Nghệ An",
    "xã Diễn Châu, tỉnh Nghệ An",
    "phường Thành Vinh, tỉnh Nghệ An",
    "xã Quỳnh Lưu, tỉnh Nghệ An",
    "phường Hoàng Mai, tỉnh Nghệ An",
]
COURTS = [
    "Tòa án nhân dân khu vực 1 - Nghệ An",
    "Tòa án nhân dân khu vực 2 - Nghệ An",
    "Tòa án nhân dân tỉnh Nghệ An",
    "Trung tâm Trọng tài Thương mại Việt Nam",
]
OFFICERS = ["Lê Văn Cường", "Nguyễn Thị Hòa", "Trần Quốc Tuấn", "Phạm Thị Ngọc Ánh"]
QUARTERS = ["I", "II", "III", "IV"]


def person(rng: random.Random) -> str:
    surname, middle = rng.choice(SURNAMES), rng.choice(MIDDLE_NAMES)
    name = f"{surname} {middle} {rng.choice(GIVEN_NAMES)}"
    return f"{name}, thôn {rng.randint(1, 20)}, {rng.choice(PLACES)}"


def synthetic_row(number: int, rng: random.Random, start: dt.date) -> dict:
    day = start + dt.timedelta(days=number * 365 // 100_000)
    fee = rng.randrange(200_000, 5_000_000, 1_000)
    damages = rng.randrange(1_000_000, 900_000_000, 1_000)
    notes = ""
    if number % 7 == 0:
        resumed = day + dt.timedelta(days=30)
        notes = (
            f"{day.strftime('%d/%m/%Y')}: hoãn thi hành án\n"
            f"{resumed.strftime('%d/%m/%Y')}: tiếp tục thi hành"
        )
    return {
        "stt": number,
        "entry_date": day,
        "decision": {
            "display": f"{number}/QĐ-THADS",
            "date": day,
            "mode": "Chủ động" if number % 3 else "Theo yêu cầu",
        },
        "judgment": {
            "number": f"{rng.randint(1, 400)}/2025/DS-ST",
            "date": day - dt.timedelta(days=rng.randint(20, 120)),
            "body": rng.choice(COURTS),
        },
        "debtors": person(rng),
        "creditors": person(rng),
        "obligations": f"Án phí dân sự sơ thẩm {fee:,} đồng; bồi thường thiệt hại "
                       f"{damages:,} đồng".replace(",", "."),
        "total_vnd": fee + damages,
        "officer": rng.choice(OFFICERS),
        "notes": notes,
    }


def synthetic_register(
    rows: int, work_year: int = 2026, seed: int = 1
) -> Iterator[dict]:
    """Yield Mẫu 03 entries with a closing line after each quarter of the rows."""
    rng = random.Random(seed)
    start = dt.date(work_year - 1, 10, 1)
    quarter_size = max(rows // 4, 1)
    count = total = 0
    for number in range(1, rows + 1):
        row = synthetic_row(number, rng, start)
        count += 1
        total += row["total_vnd"]
        yield row
        if number % quarter_size == 0 or number == rows:
            quarter = QUARTERS[min((number - 1) // quarter_size, 3)]
            label = f"Kết sổ Quý {quarter} năm công tác {work_year}"
            totals = {"decision_number": count, "total_vnd": total}
            yield {"_closing": {"label": label, "totals": totals}}
            count = total = 0


def peak_rss_mib() -> float:
    # On Linux ru_maxrss is in kibibytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def run_child(fmt: str, rows: int, out_dir: Path) -> dict:
    from services.registers import export, pdf_fonts
    from services.registers.layout import load_layout

    layout = load_layout("03")
    pdf_fonts.register_fonts()
    meta = {"unit_name": "Thi hành án dân sự tỉnh Nghệ An", "work_year": 2026,
            "printed_at": "2026-12-04"}
    exporter = export.export_xlsx if fmt == "xlsx" else export.export_pdf
    out = out_dir / f"mau03-{rows}.{fmt}"
    base = current_rss_mib()
    started, cpu_started = time.perf_counter(), time.process_time()
    written = exporter(layout, meta, synthetic_register(rows), out)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    return {"format": fmt, "rows": written, "seconds": round(seconds, 2),
            "cpu_seconds": round(cpu_seconds, 2), "base_mib": round(base, 1),
            "peak_mib": round(peak_rss_mib(), 1),
            "file_mib": round(out.stat().st_size / 2**20, 1)}


def run_parent(args: argparse.Namespace) -> None:
    out_dir = Path(args.out or tempfile.mkdtemp(prefix="register-export-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    print(f"output: {out_dir}")
    print(f"{'format':<6} {'rows':>8} {'seconds':>8} {'CPU s':>8} {'base MiB':>9} "
          f"{'peak MiB':>9} {'file MiB':>9}")
    for fmt in args.formats:
        for rows in args.rows:
            command = [sys.executable, __file__, "--child", fmt, str(rows),
                       str(out_dir)]
            result = subprocess.run(
                command, capture_output=True, text=True, check=True
            )
            figures = json.loads(result.stdout.strip().splitlines()[-1])
            print(f"{fmt:<6} {figures['rows']:>8} {figures['seconds']:>8} "
                  f"{figures['cpu_seconds']:>8} {figures['base_mib']:>9} "
                  f"{figures['peak_mib']:>9} {figures['file_mib']:>9}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000],
                        help="register sizes to export (entries)")
    parser.add_argument("--formats", nargs="+", default=["xlsx", "pdf"],
                        choices=["xlsx", "pdf"])
    parser.add_argument("--out", help="directory for the exported files "
                        "(default: a new temporary directory)")
    parser.add_argument("--child", nargs=3, metavar=("FORMAT", "ROWS", "DIR"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        fmt, rows, out_dir = args.child
        print(json.dumps(run_child(fmt, int(rows), Path(out_dir))))
    else:
        run_parent(args)


if __name__ == "__main__":
    main()
