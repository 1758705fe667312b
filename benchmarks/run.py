"""The benchmark of issue 5, in one run. Not part of the test suite.

    python benchmarks/run.py                  # N = 10,000 and 100,000 (several minutes)
    python benchmarks/run.py --sizes 2000     # a quick look

Prints, for each N: the read-and-validate floor (records/s to read and validate the records,
no rules), the rate of the rules engine alone (one process, facts built beforehand: the most
one core can do), `closure-check audit` end to end (all rules, JSON output) with --workers 1
and 2 (records/s, and the ratio of audit time to the floor measured in the same run), the peak
memory of the largest process the audit ran (itself, multiprocessing's fork server, or a
worker); then the median cold-start wall time of `closure-check check` on one record (after one
run, which fills the user's cache of compiled rules as any first run does), and which of
issue 5's targets are met. The machine's other load shows in every number: compare within one
run.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
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
    from closure_check.record import parse_record
    from closure_check.sources import decode_json

    as_of = date.fromisoformat(AS_OF)
    start = time.perf_counter()
    with path.open(encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            data = decode_json(line, source=str(path), line=line_no)
            parse_record(data, source=str(path), line=line_no, as_of=as_of)
    return time.perf_counter() - start


def engine_alone(path: Path, limit: int = 10_000) -> tuple[int, float]:
    """Records, and seconds, for the rules engine alone (durable-rules, every rule) on the first
    `limit` records, their facts built beforehand and sent in batches as the audit sends them:
    what one core cannot beat, whatever the rest of the audit costs."""
    from closure_check.api import checker_for
    from closure_check.engine import BATCH
    from closure_check.facts import build_facts
    from closure_check.record import parse_record
    from closure_check.sources import decode_json

    checker = checker_for(None)
    as_of = date.fromisoformat(AS_OF)
    spent, done = 0.0, 0
    batch: list[list[dict[str, object]]] = []

    def run() -> None:
        nonlocal spent, done
        start = time.perf_counter()
        checker.engine.run_many(batch)
        spent += time.perf_counter() - start
        done += len(batch)
        batch.clear()

    with path.open(encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            if line_no > limit:
                break
            data = decode_json(line, source=str(path), line=line_no)
            record = parse_record(data, source=str(path), line=line_no, as_of=as_of)
            batch.append(build_facts(record, checker.rules.terms).facts)
            if len(batch) == BATCH:
                run()
    if batch:
        run()
    return done, spent


_PROBE = """
import ctypes, json, os, resource, subprocess, sys, time
# Become the reaper of every process the command leaves behind (multiprocessing's fork server
# and the workers it forks outlive their parent for a moment), and reap them: the peak memory
# of each is then counted in RUSAGE_CHILDREN, not only that of the command's own process.
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
t = time.perf_counter()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
wall = time.perf_counter() - t
deadline = time.monotonic() + 30
while time.monotonic() < deadline:
    try:
        pid, _ = os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        break
    if pid == 0:
        time.sleep(0.01)
print(json.dumps([wall, rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))
"""


def measured(cmd: list[str]) -> tuple[float, int, int]:
    """Run `cmd` in a fresh helper process; return wall seconds, its exit status and the peak
    resident memory (KiB) of the largest process it ran (the audit or one of its workers)."""
    out = subprocess.run([sys.executable, "-c", _PROBE, *cmd], capture_output=True, text=True)
    wall, rc, rss = json.loads(out.stdout)
    return wall, rc, rss


def command() -> str | None:
    """closure-check's own console script, beside this Python if it is there (a shell shim
    such as pyenv's would add its own start-up time to the cold start), or else on PATH."""
    beside = Path(sys.executable).parent / "closure-check"
    return str(beside) if beside.is_file() else shutil.which("closure-check")


def counts(path: Path) -> dict[str, int]:
    """The counts at the head of an audit's JSON, without reading the whole file (at 100,000
    records it holds the reports of some 45,000 failing records)."""
    with path.open(encoding="utf-8") as f:
        head = f.read(4096)
    return {
        k: int(v) for k, v in re.findall(r'^  "(read|passed|failed|invalid)": (\d+)', head, re.M)
    }


#: issue 5's targets
MIN_RATE, MAX_RATIO, MAX_COLD, MAX_GROWTH = 4000, 20.0, 0.35, 1.3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=2008)
    parser.add_argument("--cold-runs", type=int, default=15)
    args = parser.parse_args()
    exe = command()
    if exe is None:
        sys.exit("install closure-check first (pip install -e .)")
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {exe}")
    example = ROOT / "examples" / "clean-pass.json"
    check = [exe, "check", str(example), "--as-of", AS_OF]
    # Byte-code for closure-check's own modules, as `pip install` writes for a wheel: where
    # PYTHONDONTWRITEBYTECODE is set, an editable install would otherwise compile every module
    # it changed on every run.
    import closure_check

    compileall.compile_dir(Path(closure_check.__file__).parent, quiet=1)
    measured(check)  # fills the user's cache of compiled rules, as any first run does
    # measured first: after an audit, the kernel still writing its large output to disk slows
    # every start-up down
    walls = [measured(check)[0] for _ in range(args.cold_runs)]
    cold = statistics.median(walls)
    print(
        f"check, one record, cold start: median {cold:.3f} s"
        f" over {len(walls)} runs (min {min(walls):.3f}, max {max(walls):.3f})"
    )
    peaks: dict[int, int] = {}
    rates: dict[tuple[int, int], float] = {}
    ratios: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            data = Path(tmp) / f"records-{n}.jsonl"
            write_records(data, n, args.seed)
            fl = floor(data)
            print(f"\nN = {n:,}")
            print(f"  read and validate (floor): {n / fl:8.0f} records/s  ({fl:.1f} s)")
            done, spent = engine_alone(data)
            print(
                f"  rules engine alone:        {done / spent:8.0f} records/s  (one process, the"
                f" first {done:,} records, facts built beforehand)"
            )
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
                summary = counts(out)
                assert summary["read"] == n and rc in (0, 1), (rc, summary)
                out.unlink()
                peaks[n] = max(peaks.get(n, 0), rss)
                rates[(n, workers)] = n / wall
                ratios.append(wall / fl)
                print(
                    f"  audit --workers {workers}:       {n / wall:8.0f} records/s  ({wall:.1f} s,"
                    f" {wall / fl:.1f} x the floor, peak {rss / 1024:.0f} MiB,"
                    f" {summary['failed']:,} failed)"
                )
    growth = None
    if len(peaks) > 1:
        small, large = min(peaks), max(peaks)
        growth = peaks[large] / peaks[small]
        print(f"\npeak memory at {large:,} / at {small:,}: {growth:.2f}")

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    largest = max(args.sizes)
    print(f"\ntargets (issue 5; at least {MIN_RATE:,} records/s with --workers 2):")
    rate, ratio = rates[(largest, 2)], max(ratios)
    print(f"  audit --workers 2 at N = {largest:,}: {rate:.0f}/s, {verdict(rate >= MIN_RATE)}")
    print(
        f"  audit at most {MAX_RATIO:.0f} x the floor: {ratio:.1f} x, {verdict(ratio <= MAX_RATIO)}"
    )
    print(
        f"  check cold start, median at most {MAX_COLD} s: {cold:.3f} s,"
        f" {verdict(cold <= MAX_COLD)}"
    )
    if growth is not None:
        print(
            f"  peak memory growth <= {MAX_GROWTH}: {growth:.2f}, {verdict(growth <= MAX_GROWTH)}"
        )


if __name__ == "__main__":
    main()
