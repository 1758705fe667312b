"""The records needing action are kept on disk (audit/action.py, NeedingAction): at 100,000
records some 45,000 entries, most of the audit's memory when they were held. On disk or not,
they come out worst first, exactly as `worst_first` orders them, in every output; and in the
order of the audit's reports, entry n being report n's."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

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
        # entry n is report n's: in the reports' order, each entry is found at its report's place
        in_order = list(kept.in_report_order())
        assert in_order == entries
        assert all(e["report"] == n for n, e in enumerate(in_order))
    finally:
        kept.close()


def test_an_entry_that_names_another_report_than_the_next_is_refused(tmp_path: Path) -> None:
    kept = NeedingAction(tmp_path / "needing_action.spool")
    try:
        first, second = _entries(2, 7)
        kept.append(first)
        with pytest.raises(ValueError, match="entry 1 names report 0"):
            kept.append({**second, "report": 0})
        assert len(kept) == 1 and list(kept.in_report_order()) == [first]
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
