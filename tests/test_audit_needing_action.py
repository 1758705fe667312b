"""The records needing action are kept on disk (audit/action.py, NeedingAction): at 100,000
records some 45,000 entries, most of the audit's memory when they were held. On disk or not,
they come out worst first, exactly as `worst_first` orders them, in every output."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from closure_check.audit.action import NeedingAction, worst_first


def _entries(n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [
        {
            "assessment_id": f"A-{i}",
            "children": ["Zoë", "Siân"][: rng.randint(0, 2)],
            "started_on": f"2025-0{rng.randint(1, 3)}-1{rng.randint(0, 2)}",
            "blockers": rng.randint(0, 3),
            "advisories": rng.randint(0, 2),
            "blocking_rules": ["child-seen"],
            "report": i,
        }
        for i in range(n)
    ]


def test_entries_kept_on_disk_come_back_worst_first_as_worst_first_orders_them(
    tmp_path: Path,
) -> None:
    entries = _entries(500, 2008)
    kept = NeedingAction(tmp_path / "needing_action.spool")
    try:
        for entry in entries:
            kept.append(dict(entry))
        want = worst_first(entries)
        assert len(kept) == 500
        assert list(kept) == want and kept == want
        assert kept[0] == want[0] and kept[-1] == want[-1] and kept[:15] == want[:15]
        assert [json.loads(t) for t in kept.texts()] == want
        by_report = kept.by_report()
        assert all(by_report.get(e["report"]) == e for e in entries)
        assert by_report.get(500) is None
    finally:
        kept.close()


def test_the_list_is_written_as_json_writes_it_one_level_deep(tmp_path: Path) -> None:
    for n in (0, 1, 7):
        entries = _entries(n, n)
        kept = NeedingAction(tmp_path / f"{n}.spool")
        try:
            for entry in entries:
                kept.append(dict(entry))
            written = "".join(kept.json_list())
            whole = json.dumps({"x": worst_first(entries)}, ensure_ascii=False, indent=2)
            assert '{\n  "x": ' + written + "\n}" == whole
        finally:
            kept.close()
