"""The benchmark of issue 5, in one run. Not part of the test suite.

    python benchmarks/run.py                  # N = 10,000 and 100,000 (several minutes)
    python benchmarks/run.py --sizes 2000     # a quick look

Prints, for each N: the read-and-validate floor (records/s to read and validate the records,
no rules), `closure-check audit` end to end (all rules, JSON output) with --workers 1 and 2
(records/s, and the ratio of audit time to the floor measured in the same run), the peak memory
of the audit, and the median cold-start wall time of `closure-check check` on one record.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import record  # noqa: E402

AS_OF = "2026-06-30"


def write_records(path: Path, n: int, seed: int) -> None:
    import random

    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps(record(rng, i), ensure_ascii=False) + "\n")


def floor(path: Path) -> float:
    """Seconds to read and validate every record, one process, no rules: the work no audit can
    avoid."""
    from closure_check.record import decode_json, parse_record

    as_of = date.fromisoformat(AS_OF)
    start = time.perf_counter()
    with path.open(encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            data = decode_json(line, source=str(path), line=line_no)
            parse_record(data, source=str(path), line=line_no, as_of=as_of)
    return time.perf_counter() - start


def measured(cmd: list[str]) -> tuple[float, int, int]:
    """Run `cmd` in a fresh helper process; return wall seconds, its exit status and the peak
    resident memory (KiB) of the largest process it ran (the audit or one of its workers)."""
    probe = (
        "import resource, subprocess, sys, time, json;"
        "t = time.perf_counter();"
        "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode;"
        "print(json.dumps([time.perf_counter() - t, rc,"
        " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))"
    )
    out = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, text=True)
    wall, rc, rss = json.loads(out.stdout)
    return wall, rc, rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=2008)
    parser.add_argument("--cold-runs", type=int, default=15)
    args = parser.parse_args()
    exe = shutil.which("closure-check")
    if exe is None:
        sys.exit("install closure-check first (pip install -e .)")
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    peaks: dict[int, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            data = Path(tmp) / f"records-{n}.jsonl"
            write_records(data, n, args.seed)
            fl = floor(data)
            print(f"\nN = {n:,}")
            print(f"  read and validate (floor): {n / fl:8.0f} records/s  ({fl:.1f} s)")
            for workers in (1, 2):
                out = Path(tmp) / "audit.json"
                cmd = [
                    exe,
                    "audit",
                    str(data),
                    "--json",
                    str(out),
                    "--as-of",
                    AS_OF,
                    "--workers",
                    str(workers),
                ]
                wall, rc, rss = measured(cmd)
                summary = json.loads(out.read_text(encoding="utf-8"))
                assert summary["read"] == n and rc in (0, 1), (rc, summary["read"])
                peaks[n] = max(peaks.get(n, 0), rss)
                print(
                    f"  audit --workers {workers}:       {n / wall:8.0f} records/s  ({wall:.1f} s,"
                    f" {wall / fl:.1f} x the floor, peak {rss / 1024:.0f} MiB,"
                    f" {summary['failed']:,} failed)"
                )
    if len(peaks) > 1:
        small, large = min(peaks), max(peaks)
        print(f"\npeak memory at {large:,} / at {small:,}: {peaks[large] / peaks[small]:.2f}")
    example = ROOT / "examples" / "clean-pass.json"
    walls = [
        measured([exe, "check", str(example), "--as-of", AS_OF])[0] for _ in range(args.cold_runs)
    ]
    print(
        f"\ncheck, one record, cold start: median {statistics.median(walls):.3f} s"
        f" over {len(walls)} runs (min {min(walls):.3f}, max {max(walls):.3f})"
    )


if __name__ == "__main__":
    main()
