"""The timing of `closure-check rules impact` (issue 13), next to the audit's on the same
records. Not part of the test suite.

    python benchmarks/impact.py              # N = 10,000, --workers 2
    python benchmarks/impact.py --n 2000 --workers 1

Generates N records (benchmarks/generate.py), makes a one-rule draft (the checkout's rules with
tests/data/impact/15-child-seen-alone.yaml in place of that rule: child-seen-alone a blocker and
asked of initial assessments too), then times, end to end as a user runs them:
`closure-check audit RECORDS --json` and `closure-check rules impact --rules DRAFT RECORDS
--json`. The impact checks every record twice, once per rule set, in the audit's worker
processes, so it should take about twice the audit's time: the benchmark prints both, their
ratio and the impact's rate per rule set.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from run import AS_OF, write_records  # noqa: E402


def timed(argv: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr}")
    return seconds, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2008)
    args = parser.parse_args()
    cli = [sys.executable, "-m", "closure_check.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        records = folder / "records.jsonl"
        write_records(records, args.n, args.seed)
        draft = folder / "draft"
        shutil.copytree(ROOT / "rules", draft, ignore=shutil.ignore_patterns("__*"))
        shutil.copy(ROOT / "tests/data/impact/15-child-seen-alone.yaml", draft)
        workers = ["--workers", str(args.workers), "--as-of", AS_OF]
        # one run of each first: the user's cache of compiled rules filled, as after any run
        subprocess.run([*cli, "rules", "list", "--rules", str(draft)], capture_output=True)
        audit_s, _ = timed([*cli, "audit", str(records), "--json", str(folder / "a.json"),
                            *workers])  # fmt: skip
        impact_argv = [*cli, "rules", "impact", "--rules", str(draft), str(records),
                       "--json", str(folder / "i.json"), *workers]  # fmt: skip
        impact_s, code = timed(impact_argv)
        counts = json.loads((folder / "i.json").read_text(encoding="utf-8"))["counts"]
    n = args.n
    print(f"records: {n} (seed {args.seed}), --workers {args.workers}, as of {AS_OF}")
    print(f"audit (bundled rules):        {audit_s:7.2f} s  {n / audit_s:8.0f} records/s")
    print(f"rules impact (base + draft):  {impact_s:7.2f} s  {2 * n / impact_s:8.0f} records/s "
          f"per rule set  (exit {code})")  # fmt: skip
    print(f"impact / audit:               {impact_s / audit_s:7.2f}  (two rule sets: 2 is the "
          "audit's speed per rule set)")  # fmt: skip
    print("impact counts: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
