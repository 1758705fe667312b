"""Where an audit worker's time goes, stage by stage, in one process. Not part of the test suite.

    python benchmarks/stages.py               # 4,000 generated records
    python benchmarks/stages.py --records 20000

Runs the stages a worker runs for each record (reading the JSON, validating the record, building
its facts, the rules engine on a batch, the report of a failing record, and its outcome for the
parent: exceptions and the report's JSON text), timing each, and prints microseconds per record
(the report and outcome stages are spent on failing records only, averaged over all). It calls
closure-check's internals, as a profile would: it follows them when they change.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import record  # noqa: E402

from closure_check.api import checker_for  # noqa: E402
from closure_check.audit import worker as audit_worker  # noqa: E402
from closure_check.engine import BATCH, GUARD  # noqa: E402
from closure_check.facts import build_facts  # noqa: E402
from closure_check.record import parse_record  # noqa: E402
from closure_check.sources import decode_json  # noqa: E402

AS_OF = date(2026, 6, 30)
T = TypeVar("T")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=2008)
    args = parser.parse_args()
    import json

    rng = random.Random(args.seed)
    lines = [json.dumps(record(rng, i), ensure_ascii=False) for i in range(args.records)]
    checker = checker_for(None)
    meaning = checker.engine.meaning
    spent: dict[str, float] = {}

    def timed(stage: str, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        start = time.perf_counter()
        result = work(*args, **kwargs)
        spent[stage] = spent.get(stage, 0.0) + time.perf_counter() - start
        return result

    failing = 0
    for first in range(0, len(lines), BATCH):
        records = []
        for n, line in enumerate(lines[first : first + BATCH], start=first + 1):
            data = timed("read JSON", decode_json, line, source="bench", line=n)
            records.append(
                timed("validate", parse_record, data, source="bench", as_of=AS_OF, line=n)
            )
        facts = [timed("facts", build_facts, r, checker._fact_terms) for r in records]
        answers = timed("rules engine", checker.engine.run_many, [f.facts for f in facts])
        for n, (rec, rec_facts, fired) in enumerate(zip(records, facts, answers, strict=True)):
            assert isinstance(fired, list)
            if not any(m.role == "fail" for r, _ in fired if r != GUARD for m in meaning[r]):
                continue
            failing += 1
            report = timed("report", checker._report, rec, rec_facts, fired, AS_OF, False)
            task = audit_worker._Task(first + n, "bench", first + n + 1, None, False)
            timed("outcome", audit_worker._outcome, task, rec, report, False)

    total = sum(spent.values())
    count = len(lines)
    print(f"{count:,} records, {failing:,} failing; microseconds per record:")
    for stage, seconds in spent.items():
        print(f"  {stage:13s} {seconds / count * 1e6:7.0f}  {seconds / total:6.1%}")
    rate = count / total
    print(f"  {'all':13s} {total / count * 1e6:7.0f}  => {rate:,.0f} records/s on one core")


if __name__ == "__main__":
    main()
