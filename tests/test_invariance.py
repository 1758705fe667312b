"""The order of a record's lists, and the spelling of its ids, never change what is decided.

Shuffling every list (children, people, checks, agencies, discharges, seen, lives_with,
parent_of, notified) or renaming every id consistently (children's and people's ids and every
reference to them; agency names and closure.notified agencies) must give the same verdict, the
same status for every rule, and the same subjects passing and failing (mapped through the
renaming). Checked over every valid example in examples/ and over seeded random records.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from closure_check.report import Report
from closure_check.sources import decode_json, decode_yaml, read_text

from .conftest import AS_OF, EXAMPLES
from .records import Data, random_record, run

EXPECTED = yaml.safe_load((Path(__file__).parent / "examples_expected.yaml").read_text())
GENERATED = 320  # random records, checked in chunks
CHUNK = 40
SHUFFLES = 4  # permutations of each record

Rename = Callable[[str], str]


def _example_data(entry: dict[str, Any]) -> Data:
    path = EXAMPLES / entry["file"]
    text = read_text(path)
    if "line" in entry:
        line = text.splitlines()[entry["line"] - 1]
        data = decode_json(line, source=str(path), line=entry["line"])
    elif path.suffix in (".yaml", ".yml"):
        data = decode_yaml(text, source=str(path))
    else:
        data = decode_json(text, source=str(path))
    assert isinstance(data, dict)
    return data


VALID_EXAMPLES = sorted(k for k, e in EXPECTED["examples"].items() if e["verdict"] != "invalid")


def _records() -> list[Any]:
    out = [
        pytest.param(lambda key=key: [_example_data(EXPECTED["examples"][key])],
                     id=f"example {key}")
        for key in VALID_EXAMPLES
    ]  # fmt: skip
    for lo in range(0, GENERATED, CHUNK):
        out.append(
            pytest.param(
                lambda lo=lo: [random_record(random.Random(n), n) for n in range(lo, lo + CHUNK)],
                id=f"generated records {lo}-{lo + CHUNK - 1}",
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# Transformations
# ---------------------------------------------------------------------------------------------


def shuffled(data: Data, rng: random.Random) -> Data:
    """`data` with every list in it in a new order."""
    r = copy.deepcopy(data)
    for key in ("children", "people", "checks", "agencies", "discharges"):
        rng.shuffle(r.get(key) or [])
    for c in r.get("children") or []:
        rng.shuffle(c.get("seen") or [])
        rng.shuffle(c.get("lives_with") or [])
    for p in r.get("people") or []:
        rng.shuffle(p.get("parent_of") or [])
    if r.get("closure"):
        rng.shuffle(r["closure"].get("notified") or [])
    return r


# Ids chosen to trip an implementation that leans on the user's ids: the engine's own fact
# aliases and ids, values the engine's loose typing confuses, swapped child and person ids,
# unicode, and the ids' sort order reversed.
TRICKY_IDS = ["e", "r", "s", "x", "k0", "c0", "p1", "none", "true", "null", "0", "-1", "1.0",
              "P1", "C1", "C2", "P2", "Ω", "José", "id with space", "\U0001f600", "zz",
              "A"]  # fmt: skip
# distinct as agency names are compared, ignoring case and spaces (1.1)
TRICKY_AGENCIES = ["health  Visiting ", "GP", "0", "none", "e", "Ärzte",
                   "CAMHS – Riverside", "Z"]  # fmt: skip


def renamed(data: Data, rng: random.Random) -> tuple[Data, Rename]:
    """`data` with every child and person id, and every agency name, replaced consistently;
    and the function mapping an old report subject to the new one."""
    r = copy.deepcopy(data)
    ids = [x["id"] for x in (r.get("children") or []) + (r.get("people") or [])]
    fresh = rng.sample(TRICKY_IDS, min(len(ids), len(TRICKY_IDS)))
    fresh += [f"id-{i}-{rng.randrange(10**6)}" for i in range(len(ids) - len(fresh))]
    id_map = dict(zip(ids, fresh, strict=True))
    names = [a["name"] for a in r.get("agencies") or []]
    notified = [n["agency"] for n in (r.get("closure") or {}).get("notified") or []]
    names += [n for n in notified if n not in names]  # named in notified but not an agency
    pool = rng.sample(TRICKY_AGENCIES, min(len(names), len(TRICKY_AGENCIES)))
    pool += [f"Agency {i}" for i in range(len(names) - len(pool))]
    agency_map = dict(zip(names, pool, strict=True))

    for c in r.get("children") or []:
        c["id"] = id_map[c["id"]]
        for lw in c.get("lives_with") or []:
            lw["person"] = id_map[lw["person"]]
    for p in r.get("people") or []:
        p["id"] = id_map[p["id"]]
        if "parent_of" in p:
            p["parent_of"] = [id_map[x] for x in p["parent_of"]]
    for k in r.get("checks") or []:
        if k["subject"] != "family":
            k["subject"] = id_map[k["subject"]]
    for d in r.get("discharges") or []:
        d["person"] = id_map[d["person"]]
    for a in r.get("agencies") or []:
        a["name"] = agency_map[a["name"]]
    for n in (r.get("closure") or {}).get("notified") or []:
        n["agency"] = agency_map[n["agency"]]
    by_key = {" ".join(a.split()).casefold(): new for a, new in agency_map.items()}
    for j in r.get("judgements") or []:  # 1.1: a judgement names a child, adult or agency
        s = j["subject"]
        j["subject"] = id_map.get(s) or by_key.get(" ".join(s.split()).casefold(), s)

    subject_map = {**id_map, **agency_map, "assessment": "assessment"}
    return r, subject_map.__getitem__


def summary(report: Report, rename: Rename = str) -> dict[str, Any]:
    """What was decided, independent of list order and message wording."""
    return {
        "verdict": report.verdict,
        "failing rules": sorted(r.rule for r in report.failed_rules),
        "rules": {
            r.rule: (r.status, sorted((rename(f.subject), f.status) for f in r.findings))
            for r in report.results
        },
    }


# ---------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("records", _records())
def test_shuffling_every_list_never_changes_what_is_decided(
    records: Callable[[], list[Data]],
) -> None:
    for data in records():
        rng = random.Random(data["id"])
        expected = summary(run(data, as_of=AS_OF))
        for i in range(SHUFFLES):
            got = summary(run(shuffled(data, rng), as_of=AS_OF))
            assert got == expected, f"{data['id']}, permutation {i}"


@pytest.mark.parametrize("records", _records())
def test_renaming_every_id_consistently_never_changes_what_is_decided(
    records: Callable[[], list[Data]],
) -> None:
    for data in records():
        rng = random.Random("rename " + data["id"])
        report = run(data, as_of=AS_OF)
        for i in range(2):
            other, rename = renamed(data, rng)
            if i:
                other = shuffled(other, rng)
            assert summary(run(other, as_of=AS_OF)) == summary(report, rename), (
                f"{data['id']}, renaming {i}"
            )


def test_the_random_records_make_every_rule_pass_fail_and_not_apply() -> None:
    """The random records are worth permuting: together they exercise every outcome."""
    seen: set[tuple[str, str]] = set()
    verdicts = set()
    kinds = set()
    for n in range(GENERATED):
        data = random_record(random.Random(n), n)
        kinds.add(data["kind"])
        report = run(data, as_of=AS_OF)
        verdicts.add(report.verdict)
        seen |= {(r.rule, r.status) for r in report.results}
    rules = {rule for rule, _ in seen}
    assert len(rules) == 15
    assert seen == {(rule, s) for rule in rules for s in ("pass", "fail", "not_applicable")}
    assert verdicts == {"pass", "fail"}
    assert kinds == {"initial", "single", "s47", "looked_after_review", "discharge"}


def test_checking_a_b_a_gives_identical_reports_for_both_checks_of_a() -> None:
    datas = [_example_data(EXPECTED["examples"][k]) for k in VALID_EXAMPLES]
    datas += [random_record(random.Random(n), n) for n in range(40)]
    for a, b in zip(datas, datas[1:] + datas[:1], strict=True):
        first = run(a, as_of=AS_OF).to_json()
        between = run(b, as_of=AS_OF).to_json()
        again = run(a, as_of=AS_OF).to_json()
        assert again == first, a["id"]
        assert between != first or a == b


def test_checking_the_same_record_three_times_gives_identical_output() -> None:
    for n in range(40):
        data = random_record(random.Random(1000 + n), n)
        outputs = {run(data, as_of=AS_OF).to_json() for _ in range(3)}
        assert len(outputs) == 1, data["id"]
