"""The benchmark of issue 14: the working tree against a baseline commit, in one run. Not a test.

    .venv/bin/python benchmarks/run.py                        # N = 10,000 and 100,000 (5-10 min)
    .venv/bin/python benchmarks/run.py --sizes 2000 --repeat 1   # a quick look
    .venv/bin/python benchmarks/run.py --baseline 9230cc4     # another baseline (default f386260)

Run it with the working tree's own Python: the working side is the `closure-check` installed
beside it (`pip install -e .`). The baseline side is the commit given by --baseline, taken with
`git archive` into its own folder and installed with `pip install` into its own virtual
environment, once: both are kept in `~/.cache/closure-check-bench/<commit>/` (the first build
takes seconds when pip's cache holds a wheel of durable-rules, a few minutes when it is compiled
from source; --rebuild builds it again; a build that fails says why, with its log's end).

The records are generated once per N (benchmarks/generate.py, --seed 2008) and both sides audit
the same files. Prints, side by side for the baseline and the working tree, with the speed-up
(the baseline's time over the working tree's):
- the median cold start of `closure-check check` on one record (after one run of each, which
  fills the user's cache of compiled rules as any first run does), the two sides taking turns;
- `closure-check audit FILE --json OUT --workers 2` at each N, and `--workers 1` at the smallest:
  the median records/s over --repeat runs of each side (default 2), the runs interleaved
  (baseline, working, baseline, working, ...), each checked to have read every record; the peak
  resident memory of the largest process an audit runs (itself, multiprocessing's fork server or
  a worker);
- the rate of the working tree's rules engine alone (one process, facts built beforehand, in a
  fresh process after each pair of runs at the largest N), and the audit's share of twice it
  (two cores);
- the peak memory at the largest N over the peak at the smallest (--workers 2);
then issue 14's targets, each "met" or "NOT met". The machine's other load shows in every number:
compare within one run, on a quiet machine.
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
import tarfile
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import record  # noqa: E402

AS_OF = "2026-06-30"
BASELINE = "f386260"
#: issue 14's targets: the speed-up over the baseline with --workers 2 at the largest N, the
#: audit's share of twice the engine-alone rate, the cold start (s), the peak memory's growth
MIN_SPEEDUP, MIN_SHARE, MAX_COLD, MAX_GROWTH = 1.6, 0.5, 0.35, 1.3
#: records the engine-alone rate is measured on (the first of the largest file)
ENGINE_RECORDS = 10_000


def write_records(path: Path, n: int, seed: int) -> None:
    """n records of benchmarks/generate.py, as `generate.py n --seed seed` writes them."""
    import random

    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps(record(rng, i), ensure_ascii=False) + "\n")


def command() -> str | None:
    """closure-check's own console script, beside this Python if it is there (a shell shim
    such as pyenv's would add its own start-up time to the cold start), or else on PATH."""
    beside = Path(sys.executable).parent / "closure-check"
    return str(beside) if beside.is_file() else shutil.which("closure-check")


# --- the baseline's own virtual environment ------------------------------------------------


class BuildError(Exception):
    """The baseline could not be built; the message says why, in words."""


def _git(*args: str) -> str:
    try:
        out = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, check=True)
    except FileNotFoundError:
        raise BuildError("git is not installed") from None
    except subprocess.CalledProcessError as e:
        raise BuildError(e.stderr.decode(errors="replace").strip() or "git failed") from None
    return out.stdout.decode().strip()


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "closure-check-bench"


def build_baseline(commit: str, rebuild: bool) -> tuple[str, str, float | None]:
    """The baseline's full commit id, its `closure-check`, and the seconds its build took (None
    when it was already built). The commit's files go to <cache>/<commit>/src (`git archive`),
    its virtual environment to <cache>/<commit>/venv, made with this Python's base interpreter
    and `pip install` of src (pip's own index and cache, as any install here)."""
    try:
        sha = _git("rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}")
    except BuildError:
        raise BuildError(f"{commit!r} is not a commit of {ROOT}") from None
    folder = cache_folder() / sha
    venv, exe, stamp = folder / "venv", folder / "venv" / "bin" / "closure-check", folder / "built"
    made_by = f"{sys.version}\n"  # a venv made by another Python is built again
    if not rebuild and exe.is_file() and stamp.is_file() and stamp.read_text() == made_by:
        return sha, str(exe), None
    print(f"building the baseline {commit} in {folder} (once; a few minutes)...", flush=True)
    start = time.perf_counter()
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "src").mkdir(parents=True)
    log = folder / "build.log"
    archive = folder / "src.tar"
    try:
        with archive.open("wb") as f:
            subprocess.run(["git", "-C", str(ROOT), "archive", sha], stdout=f, check=True)
        with tarfile.open(archive) as tar:
            safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            tar.extractall(folder / "src", **safe)
        archive.unlink()
        steps = [
            [sys.executable, "-m", "venv", str(venv)],
            [str(venv / "bin" / "python"), "-m", "pip", "install", str(folder / "src")],
        ]
        with log.open("w", encoding="utf-8") as f:
            for step in steps:
                f.write(f"$ {' '.join(step)}\n")
                f.flush()
                done = subprocess.run(step, stdin=subprocess.DEVNULL, stdout=f, stderr=f)
                if done.returncode != 0:
                    tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
                    raise BuildError(f"`{' '.join(step[-3:])}` failed; the end of {log}:\n{tail}")
    except (OSError, subprocess.CalledProcessError, tarfile.TarError) as e:
        raise BuildError(f"its files could not be laid out in {folder}: {e}") from None
    if not exe.is_file():
        raise BuildError(f"the install made no {exe} (see {log})")
    stamp.write_text(made_by)
    return sha, str(exe), time.perf_counter() - start


# --- measuring -------------------------------------------------------------------------------

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


@dataclass
class Run:
    wall: float  # seconds
    rc: int  # exit status
    rss: int  # KiB: the peak resident memory of the largest process it ran
    stderr: str


def measured(cmd: list[str]) -> Run:
    """Run `cmd` in a fresh helper process (without PYTHONPATH, which could put the working
    tree's code under the baseline), after the disk has taken what earlier runs wrote."""
    os.sync()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, *cmd], capture_output=True, text=True, env=env
    )
    wall, rc, rss = json.loads(out.stdout)
    return Run(wall, rc, rss, out.stderr)


def counts(path: Path) -> dict[str, int]:
    """The counts at the head of an audit's JSON, without reading the whole file (at 100,000
    records it holds the reports of some 45,000 failing records)."""
    with path.open(encoding="utf-8") as f:
        head = f.read(4096)
    return {
        k: int(v) for k, v in re.findall(r'^  "(read|passed|failed|invalid)": (\d+)', head, re.M)
    }


def engine_alone(path: Path, limit: int = ENGINE_RECORDS) -> tuple[int, float]:
    """Records, and seconds, for the rules engine alone (durable-rules, every rule) on the first
    `limit` records, their facts built beforehand and sent in batches as the audit sends them:
    what one core cannot beat, whatever the rest of the audit costs. It calls closure-check's
    internals, and follows them when they change."""
    import gc

    from closure_check import poolworker
    from closure_check.api import checker_for
    from closure_check.engine import BATCH
    from closure_check.facts import build_facts
    from closure_check.record import parse_record
    from closure_check.sources import decode_json

    poolworker.settle()  # the audit's workers' allocator and collector settings, for a fair share
    checker = checker_for(None)
    terms = checker._fact_terms  # what the checker sends: only the fields its rules read
    as_of = date.fromisoformat(AS_OF)
    facts: list[list[dict[str, object]]] = []
    with path.open(encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            if line_no > limit:
                break
            data = decode_json(line, source=str(path), line=line_no)
            rec = parse_record(data, source=str(path), line=line_no, as_of=as_of)
            facts.append(build_facts(rec, terms).facts)
    gc.collect()
    gc.freeze()
    gc.set_threshold(*poolworker.GC_THRESHOLD)
    spent = 0.0
    for first in range(0, len(facts), BATCH):
        batch = facts[first : first + BATCH]
        start = time.perf_counter()
        checker.engine.run_many(batch)
        spent += time.perf_counter() - start
    return len(facts), spent


def engine_rate(path: Path) -> float:
    """Records/s of `engine_alone`, in a fresh process of the working tree's Python."""
    me = str(Path(__file__).resolve())
    out = subprocess.run(
        [sys.executable, me, "--engine-alone", str(path)], capture_output=True, text=True
    )
    if out.returncode != 0:
        sys.exit(f"the engine-alone measurement failed:\n{out.stderr[-3000:]}")
    done, spent = json.loads(out.stdout)
    return float(done / spent)


@dataclass
class Side:
    name: str  # "baseline" or "working"
    label: str  # the commit, as the table's heading shows it
    exe: str  # its closure-check


def audit(side: Side, data: Path, n: int, workers: int) -> tuple[Run, dict[str, int]]:
    """One `closure-check audit` of `data`; stops the benchmark, saying why, unless it read all
    n records and found none invalid."""
    out = data.with_name("audit.json")
    cmd = [side.exe, "audit", str(data), "--json", str(out), "--as-of", AS_OF]
    run = measured([*cmd, "--workers", str(workers)])
    got = counts(out) if out.is_file() else {}
    out.unlink(missing_ok=True)
    if run.rc not in (0, 1) or got.get("read") != n or got.get("invalid", 0) != 0:
        sys.exit(
            f"the {side.name} side's audit of {n:,} records (--workers {workers}) exited"
            f" {run.rc} with counts {got}, not {n:,} read and none invalid:\n{run.stderr[-2000:]}"
        )
    return run, got


# --- the run ---------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def row(what: str, base: str, work: str, ratio: str) -> None:
    print(f"  {what:28s} {base:26s} {work:26s} {ratio}".rstrip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=BASELINE, help=f"a commit (default {BASELINE})")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=2, help="runs of each audit on each side")
    parser.add_argument("--seed", type=int, default=2008)
    parser.add_argument("--cold-runs", type=int, default=15, help="cold starts on each side")
    parser.add_argument("--rebuild", action="store_true", help="build the baseline again")
    parser.add_argument("--engine-alone", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine_alone:  # the fresh process of engine_rate
        print(json.dumps(engine_alone(args.engine_alone)))
        return
    if args.repeat < 1 or args.cold_runs < 1 or min(args.sizes) < 1:
        parser.error("--sizes, --repeat and --cold-runs must be at least 1")
    sizes = sorted(set(args.sizes))
    exe = command()
    try:
        import closure_check
    except ImportError:
        exe = None
    if exe is None:
        sys.exit("run this with the working tree's Python, closure-check installed in it:"
                 " pip install -e . && .venv/bin/python benchmarks/run.py")  # fmt: skip
    try:
        sha, base_exe, took = build_baseline(args.baseline, args.rebuild)
        head = _git("rev-parse", "--short", "HEAD")
        changed = _git("status", "--porcelain", "--untracked-files=no")
    except BuildError as e:
        sys.exit(f"the baseline {args.baseline} could not be built: {e}")
    base = Side("baseline", sha[:7], base_exe)
    work = Side("working", f"{head}{' + changes' if changed else ''}", exe)
    sides = (base, work)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    built = "already built" if took is None else f"built in {took:.0f} s"
    print(f"baseline: {sha[:7]}, {base.exe} ({built})")
    print(f"working tree: {work.label}, {work.exe}")
    # Byte-code for closure-check's own modules, as `pip install` wrote for the baseline: where
    # PYTHONDONTWRITEBYTECODE is set, an editable install would otherwise compile every module
    # it changed on every run.
    compileall.compile_dir(Path(closure_check.__file__).parent, quiet=1)

    print(f"\n  {'':28s} {'baseline ' + base.label:26s} {'working ' + work.label:26s} speed-up")
    # The cold start first: after an audit, the kernel still writing its large output to disk
    # slows every start-up down.
    check = [str(ROOT / "examples" / "clean-pass.json"), "--as-of", AS_OF]
    cold: dict[str, list[float]] = {side.name: [] for side in sides}
    for side in sides:  # fills each side's cache of compiled rules, as any first run does
        run = measured([side.exe, "check", *check])
        if run.rc not in (0, 1):
            sys.exit(f"the {side.name} side's check failed (exit {run.rc}):\n{run.stderr[-2000:]}")
    for _ in range(args.cold_runs):
        for side in sides:
            cold[side.name].append(measured([side.exe, "check", *check]).wall)
    median = {name: statistics.median(walls) for name, walls in cold.items()}
    row(
        f"check cold start ({args.cold_runs} runs)",
        f"{median['baseline']:.3f} s",
        f"{median['working']:.3f} s",
        f"{median['baseline'] / median['working']:.2f} x",
    )

    largest = sizes[-1]
    plan = [(sizes[0], 1)] + [(n, 2) for n in sizes]
    rates: dict[tuple[str, int, int], float] = {}
    peaks: dict[tuple[str, int], int] = {}
    engine: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for n in sizes:
            files[n] = Path(tmp) / f"records-{n}.jsonl"
            write_records(files[n], n, args.seed)
        for n, workers in plan:
            runs: dict[str, list[Run]] = {side.name: [] for side in sides}
            found: dict[str, dict[str, int]] = {}
            for _ in range(args.repeat):
                for side in sides:
                    run, found[side.name] = audit(side, files[n], n, workers)
                    runs[side.name].append(run)
                if (n, workers) == (largest, 2):
                    engine.append(engine_rate(files[largest]))
            cells = []
            for side in sides:
                wall = statistics.median(r.wall for r in runs[side.name])
                rss = max(r.rss for r in runs[side.name])
                rates[(side.name, n, workers)] = n / wall
                if workers == 2:
                    peaks[(side.name, n)] = rss
                cells.append(f"{n / wall:,.0f}/s, {wall:.1f} s, {rss / 1024:.0f} MiB")
            speedup = rates[("working", n, workers)] / rates[("baseline", n, workers)]
            row(f"audit {n:,}, --workers {workers}", *cells, f"{speedup:.2f} x")
            if found["baseline"] != found["working"]:
                print(f"  note: the two sides count differently: {found}")

    growth = None
    if len(sizes) > 1:
        small = sizes[0]
        ratio = {
            side.name: peaks[(side.name, largest)] / peaks[(side.name, small)] for side in sides
        }
        growth = ratio["working"]
        row(f"peak at {largest:,} / at {small:,}", f"{ratio['baseline']:.2f}", f"{growth:.2f}", "")
    rate = rates[("working", largest, 2)]
    alone = statistics.median(engine)
    share = rate / (2 * alone)
    print(
        f"\nrules engine alone (working tree, one process, the first"
        f" {min(largest, ENGINE_RECORDS):,} records, facts built beforehand):"
        f" {alone:,.0f} records/s, median of {len(engine)}"
    )
    print(f"audit --workers 2 at {largest:,}: {share:.0%} of twice the engine alone (2 cores)")

    speedup = rate / rates[("baseline", largest, 2)]
    print(f"\ntargets (issue 14; --workers 2 at N = {largest:,}, in this run):")
    print(f"  audit at least {MIN_SPEEDUP} x the baseline: {speedup:.2f} x,"
          f" {verdict(speedup >= MIN_SPEEDUP)}")  # fmt: skip
    print(f"  audit at least {MIN_SHARE:.0%} of twice the engine alone: {share:.0%},"
          f" {verdict(share >= MIN_SHARE)}")  # fmt: skip
    cold_work = median["working"]
    print(f"  check cold start, median at most {MAX_COLD} s: {cold_work:.3f} s,"
          f" {verdict(cold_work <= MAX_COLD)}")  # fmt: skip
    if growth is None:
        print("  peak memory growth: not measured (one size)")
    else:
        print(f"  peak at {largest:,} at most {MAX_GROWTH} x at {sizes[0]:,}: {growth:.2f} x,"
              f" {verdict(growth <= MAX_GROWTH)}")  # fmt: skip


if __name__ == "__main__":
    main()
