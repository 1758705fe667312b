"""A worker that never answers (an engine fault looping forever) is stopped at the pool's time
limit and treated as a worker that died: the pool on its own, and the decision service through
the real server (uvicorn, a free loopback port) over HTTP, where the request it hung is a 500
("not checked"), the requests checked with it are answered, and the service goes on checking."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import httpx

from closure_check import pool

from .conftest import AS_OF, EXAMPLES
from .serving import Server, serving
from .test_serve import is_error
from .test_serve_page import submit

# -- the pool on its own ----------------------------------------------------------------------

STUCK = 5  # the task a worker never finishes, as an engine looping forever would
LIMIT = 0.5  # seconds


@dataclass(frozen=True)
class Job:
    seq: int
    alone: bool = False


def stuck_on_one(state: None, jobs: list[Job], current: pool.Current) -> Iterator[list[object]]:
    """Answers each job with its number, a chunk at once (`IN_BATCH`) unless marked alone; never
    finishes a chunk holding STUCK."""
    together = [j for j in jobs if not j.alone]
    if together:
        current.value = pool.IN_BATCH if len(together) > 1 else together[0].seq
        while any(j.seq == STUCK for j in together):
            time.sleep(60)
        yield [j.seq for j in together]
    for job in (j for j in jobs if j.alone):
        current.value = job.seq
        while job.seq == STUCK:
            time.sleep(60)
        yield [job.seq]
    current.value = pool.IDLE


def slow(state: None, jobs: list[Job], current: pool.Current) -> Iterator[list[object]]:
    current.value = jobs[0].seq
    time.sleep(2 * LIMIT)
    current.value = pool.IDLE
    yield [j.seq for j in jobs]


CRASHES: pool.Crashes[Job, object] = pool.Crashes(
    answer=lambda job, how: ("stopped", job.seq, how),
    isolate=lambda job: replace(job, alone=True),
)


def drive(p: pool.Pool[Job, object], deadline: float) -> dict[int, object]:
    """What the service does: each idle worker given every task waiting to be given out
    again, and `wait` (no timeout: the time limit alone ends a wait) until all are answered."""
    got: dict[int, object] = {}
    while p.retry or any(w.pending for w in p.workers):
        assert time.monotonic() < deadline, f"only {sorted(got)} were answered in time"
        idle = next((w for w in p.workers if not w.pending), None)
        if p.retry and idle is not None:
            p.give(idle, list(p.retry))
            p.retry.clear()
        got.update((job.seq, answer) for job, answer in p.wait())
    return got


def test_a_worker_over_its_time_limit_is_stopped_and_only_its_task_is_lost() -> None:
    work: pool.Work[None, Job, object] = pool.Work(start=dict, handle=stuck_on_one)
    items = [Job(n) for n in range(10)]
    started = time.monotonic()
    answers = list(pool.run_ordered(iter(items), work, CRASHES, workers=1, time_limit=LIMIT))
    assert answers[:STUCK] == [0, 1, 2, 3, 4] and answers[STUCK + 1 :] == [6, 7, 8, 9]
    assert answers[STUCK] == (
        "stopped",
        STUCK,
        "the checking process took longer than its time limit of 0.5 seconds and was stopped",
    )
    assert time.monotonic() - started < 30 * LIMIT


def test_a_batch_its_worker_hung_in_is_given_out_again_alone_and_the_culprit_found() -> None:
    work: pool.Work[None, Job, object] = pool.Work(start=dict, handle=stuck_on_one)
    p: pool.Pool[Job, object] = pool.Pool(work, CRASHES, size=2, time_limit=LIMIT)
    try:
        deadline = time.monotonic() + 60
        while not all(w.ready for w in p.workers):
            p.wait(0.1)
            assert time.monotonic() < deadline
        first = p.workers[0]
        p.give(first, [Job(3), Job(4), Job(STUCK), Job(6)])  # worked on together: IN_BATCH
        given = time.monotonic()
        while not p.retry:  # the first stop blames nobody: each is to be worked on alone
            assert p.wait() == []
            assert time.monotonic() < deadline
        assert LIMIT * 0.9 <= time.monotonic() - given < LIMIT + 10
        assert first not in p.workers and not first.process.is_alive()
        assert [(j.seq, j.alone) for j in p.retry] == [(n, True) for n in (3, 4, STUCK, 6)]
        got = drive(p, deadline)
        assert {n: got[n] for n in (3, 4, 6)} == {3: 3, 4: 4, 6: 6}
        stopped = got[STUCK]
        assert isinstance(stopped, tuple) and stopped[:2] == ("stopped", STUCK)
        assert "took longer than its time limit of 0.5 seconds" in stopped[2]
        assert time.monotonic() - given >= 2 * LIMIT * 0.9  # stopped twice
    finally:
        p.close(graceful=False)


def test_without_a_time_limit_a_slow_worker_is_waited_for_as_the_audit_waits() -> None:
    work: pool.Work[None, Job, object] = pool.Work(start=dict, handle=slow)
    answers = list(pool.run_ordered(iter([Job(0), Job(1)]), work, CRASHES, workers=1))
    assert answers == [0, 1]


# -- the service ------------------------------------------------------------------------------

JSON_TYPE = "application/json"
QUERY = {"as_of": AS_OF.isoformat()}
RECORD = (EXAMPLES / "clean-pass.json").read_bytes()
#: the service's test hook (service/work.py): a record holding this text hangs its worker
HANG = {"CLOSURE_CHECK_SERVE_TEST_HANG": "IA-2025-HANG"}
HANGING = RECORD.replace(b"IA-2025-0318", b"IA-2025-HANG")
assert HANGING != RECORD


def check(c: httpx.Client, body: bytes, ctype: str = JSON_TYPE) -> httpx.Response:
    return c.post("/v1/check", content=body, params=QUERY, headers={"content-type": ctype})


def no_fault_in(server: Server) -> None:
    logs = server.logs()
    assert "Traceback" not in logs and "fault in" not in logs and "IA-2025-HANG" not in logs


def test_a_record_that_hangs_its_worker_is_a_500_not_checked_within_the_time_limit(
    tmp_path: Path,
) -> None:
    with serving(tmp_path, "--workers", "1", "--timeout", "1", env=HANG) as server:
        with server.client() as c:
            before = check(c, RECORD)
            assert before.status_code == 200
            (worker,) = server.workers()
            started = time.monotonic()
            hung = check(c, HANGING)
            took = time.monotonic() - started
            is_error(hung, 500, "not_checked")
            assert "not checked" in hung.json()["error"]
            assert 0.25 <= took < 1.0  # stopped at a third of the limit, within the limit
            assert worker not in server.workers()
            after = check(c, RECORD)
            assert after.status_code == 200 and after.content == before.content
            assert c.get("/health/ready").status_code == 200
        no_fault_in(server)


def test_with_two_workers_three_hanging_records_in_a_row_leave_the_service_checking(
    tmp_path: Path,
) -> None:
    with serving(tmp_path, "--workers", "2", "--timeout", "1", env=HANG) as server:
        with server.client() as c:
            for _ in range(3):
                workers = set(server.workers())
                is_error(check(c, HANGING), 500, "not_checked")
                assert len(workers - set(server.workers())) == 1  # stopped, and replaced
            for _ in range(2):
                answer = check(c, RECORD)
                assert answer.status_code == 200 and answer.json()["verdict"] == "pass"
        no_fault_in(server)


def test_requests_checked_together_with_a_hanging_record_are_answered_with_their_reports(
    tmp_path: Path,
) -> None:
    """One worker, which waits 0.3 s before each chunk: while it holds the first request the
    next three arrive, and are given to it together, in one engine session, which hangs. The
    worker is stopped (a third of the 4 s limit); the three are given out again one by one;
    the two ordinary ones are answered, and the hanging one, alone, is stopped again: a 500."""
    others = [
        (EXAMPLES / "fail-closure-not-notified.json", JSON_TYPE),
        (EXAMPLES / "clean-pass-yaml.yaml", "application/yaml"),
    ]
    env = {**HANG, "CLOSURE_CHECK_SERVE_TEST_DELAY": "0.3"}
    limit = 4 / 3
    with serving(tmp_path, "--workers", "1", "--timeout", "4", env=env) as server:
        with server.client() as c:
            alone = [check(c, path.read_bytes(), ctype).content for path, ctype in others]
            answers: dict[str, tuple[httpx.Response, float]] = {}

            def send(name: str, body: bytes, ctype: str) -> None:
                started = time.monotonic()
                with server.client() as own:
                    answer = check(own, body, ctype)
                answers[name] = (answer, time.monotonic() - started)

            holder = threading.Thread(target=send, args=("holder", RECORD, JSON_TYPE))
            holder.start()
            time.sleep(0.05)
            threads = [
                threading.Thread(target=send, args=(str(i), path.read_bytes(), ctype))
                for i, (path, ctype) in enumerate(others)
            ]
            threads.append(threading.Thread(target=send, args=("hang", HANGING, JSON_TYPE)))
            for t in threads:
                t.start()
            for t in [holder, *threads]:
                t.join()
            assert answers["holder"][0].status_code == 200
            for i, content in enumerate(alone):
                answer, took = answers[str(i)]
                assert answer.status_code == 200 and answer.content == content
                assert took >= limit  # held up by the first stop, then checked again alone
            hung, took = answers["hang"]
            is_error(hung, 500, "not_checked")
            assert took >= 2 * limit  # two stops: in the batch, then alone
            assert check(c, RECORD).status_code == 200
        no_fault_in(server)


def test_a_request_whose_time_ran_out_first_is_a_503_and_its_stop_later_raises_nothing(
    tmp_path: Path,
) -> None:
    """One worker, four hanging records at once, 1 s: each takes a stop of a third of a second,
    so the last cannot be answered in time (503, Retry-After); its worker's stop (or its being
    dropped unchecked, nobody waiting for it) comes later and must not break the service."""
    with serving(tmp_path, "--workers", "1", "--timeout", "1", env=HANG) as server:
        answers: list[httpx.Response] = []

        def send() -> None:
            with server.client() as own:
                answers.append(check(own, HANGING))

        threads = [threading.Thread(target=send) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        statuses = {a.status_code for a in answers}
        assert len(answers) == 4 and statuses <= {500, 503} and 503 in statuses
        for answer in answers:
            if answer.status_code == 503:
                is_error(answer, 503, "overloaded")
                assert int(answer.headers["retry-after"]) >= 1
        time.sleep(0.5)  # whatever was still under way has been stopped, or dropped
        with server.client() as c:
            after = check(c, RECORD)
            assert after.status_code == 200 and after.json()["verdict"] == "pass"
        assert server.process.poll() is None
        no_fault_in(server)


# -- what a stop at the time limit is called, told apart from a crash -------------------------


def _values_of(record: bytes) -> list[str]:
    """The record's own text that no answer or log line may hold: names, ids, notes."""
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and len(value) >= 5 and value != value.lower():
            found.append(value)

    walk(json.loads(record))
    assert "IA-2025-HANG" in found and "Ruby Mensah-Doherty" in found
    return found


def _decision(log: Path, decision_id: str) -> dict[str, object]:
    lines = log.read_text(encoding="utf-8").splitlines()
    (entry,) = [e for e in map(json.loads, lines) if e["decision"] == decision_id]
    assert isinstance(entry, dict)
    return entry


def test_a_record_stopped_at_the_time_limit_is_told_not_to_be_sent_again_and_logged_as_such(
    tmp_path: Path,
) -> None:
    """The API's 500 and the check page say it took too long and must not be sent again as it
    is (not "try again"), with the decision id for support; the decision log's `cause` is
    `time_limit`; one log line says so. None of them holds a value from the record."""
    values = _values_of(HANGING)
    log = tmp_path / "decisions.jsonl"
    args = ("--workers", "1", "--timeout", "1", "--decision-log", str(log))
    with serving(tmp_path, *args, env=HANG) as server:
        with server.client() as c:
            hung = check(c, HANGING)
            page = submit(c, pasted=HANGING.decode("utf-8"))
        data = is_error(hung, 500, "not_checked")
        decision_id = hung.headers["x-decision-id"]
        message = data["error"]
        assert "not checked" in message and "took longer than the service allows" in message
        assert "Do not send it again as it is" in message and "try again" not in message
        assert f"(decision {decision_id})" in message
        assert page.status_code == 500 and "The record was not checked" in page.text
        assert "Do not send it again as it is" in page.text and "try again" not in page.text
        assert page.headers["x-decision-id"] in page.text
        entry = _decision(log, decision_id)
        assert entry["verdict"] == "not_checked" and entry["cause"] == "time_limit"
        logs = server.logs()
        for answered in (decision_id, page.headers["x-decision-id"]):
            assert f"decision {answered} not checked: stopped at the time limit" in logs
        for text in (hung.text, page.text, logs, log.read_text(encoding="utf-8")):
            assert [v for v in values if v in text] == []
        no_fault_in(server)


def test_a_record_whose_worker_died_is_logged_as_a_crash_not_as_the_time_limit(
    tmp_path: Path,
) -> None:
    log = tmp_path / "decisions.jsonl"
    slow = {"CLOSURE_CHECK_SERVE_TEST_DELAY": "1.5"}  # each chunk waits: time to kill it
    with serving(tmp_path, "--workers", "1", "--decision-log", str(log), env=slow) as server:
        (worker,) = server.workers()
        answers: list[httpx.Response] = []
        with server.client() as c:
            sending = threading.Thread(target=lambda: answers.append(check(c, RECORD)))
            sending.start()
            time.sleep(0.7)  # the worker has it, and waits
            os.kill(worker, signal.SIGKILL)
            sending.join()
        message = is_error(answers[0], 500, "not_checked")["error"]
        assert "took longer" not in message and "Do not send it again" not in message
        decision_id = answers[0].headers["x-decision-id"]
        assert _decision(log, decision_id)["cause"] == "crash"
        logs = server.logs()
        assert f"decision {decision_id} not checked: the rules engine failed on it" in logs
        assert "stopped at the time limit" not in logs
