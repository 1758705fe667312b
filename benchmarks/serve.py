"""The benchmark of issue 11: `closure-check serve` under a real load generator. Not a test.

    python benchmarks/serve.py            # about four minutes
    python benchmarks/serve.py --quick    # under a minute: shorter runs, fewer requests

In one run, on this machine only (127.0.0.1; nothing else is ever a target):
1. `closure-check audit --workers 2` on N generated records (benchmarks/generate.py): records/s,
   the rate the service is held to;
2. `closure-check serve --workers 2` on a free loopback port, driven by Debian's `wrk` (installed
   with apt-get when missing, as root) with a Lua script that posts one example record to
   `POST /v1/check`, at 1, 8 and 32 concurrent connections for a bounded time each: requests/s,
   p50 and p99 latency;
3. the peak resident memory of the server and its worker processes after 10,000 and after
   100,000 requests (2,000 and 20,000 with --quick);
4. like for like: 32 connections posting the audit's own records in turn (its first 2,000), as
   heavy on average as the records the audit's rate was measured on, where the Child J record
   fails 7 rules and is the heaviest example;
then which of the issue's targets are met. Everything it starts it stops, and it stops by itself.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from run import AS_OF, command, write_records  # noqa: E402

HOST = "127.0.0.1"  # the only address this benchmark ever sends anything to
EXAMPLE = ROOT / "examples" / "child-j-sibling-june-2008.json"
EXAMPLE_AS_OF = "2025-06-30"
CONNECTIONS = (1, 8, 32)
#: issue 11's targets
MIN_RATIO, MAX_P99_MS, MAX_P50_ONE_MS, MAX_GROWTH = 0.7, 100.0, 10.0, 1.2

LUA = r"""
-- POST one record to /v1/check; print the numbers this benchmark reads, on one line.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = assert(io.open(os.getenv("CC_BODY"), "rb"))
wrk.body = f:read("*a")
f:close()

done = function(summary, latency, requests)
  local e = summary.errors
  local errors = e.status + e.connect + e.read + e.write + e.timeout
  io.write(string.format("RESULT %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), errors))
end
"""


#: The same, posting the audit's own records in turn (one per line of CC_BODIES), so that the
#: service and the audit are compared on the same records.
LUA_RECORDS = r"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local bodies = {}
for line in io.lines(os.getenv("CC_BODIES")) do bodies[#bodies + 1] = line end
local i = 0
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[i])
end
""" + LUA[LUA.index("done = function") :]
#: how many of the audit's records the like-for-like run posts, at most (each wrk thread holds
#: them all); all of them when the audit has fewer (`--records`)
RECORDS_POSTED = 2_000


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def ensure_wrk() -> str:
    """Debian's wrk, installed with apt-get if it is missing (as root only)."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("wrk is not installed: run `apt-get install -y wrk` as root, then try again")
    print("installing Debian's wrk (apt-get install -y wrk) ...", flush=True)
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(install, env=env, capture_output=True, timeout=600).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, timeout=600)
        subprocess.run(install, env=env, check=True, capture_output=True, timeout=600)
    found = shutil.which("wrk")
    if not found:
        sys.exit("wrk could not be installed")
    return found


def audit_rate(folder: Path, n: int, seed: int, exe: str) -> float:
    """Records/s of `closure-check audit --workers 2` on n generated records."""
    records = folder / "records.jsonl"
    write_records(records, n, seed)
    cmd = [exe, "audit", str(records), "--workers", "2", "--as-of", AS_OF]
    cmd += ["--json", str(folder / "audit.json")]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"the audit failed (exit {proc.returncode}): {proc.stderr[-2000:]}")
    return n / wall


class Server:
    """`closure-check serve --workers 2` on a free loopback port, stopped in `stop`."""

    def __init__(self, exe: str) -> None:
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.proc = subprocess.Popen(
            [exe, "serve", "--host", HOST, "--port", str(self.port), "--workers", "2"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                if httpx.get(self.url + "/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.stop()
        sys.exit("closure-check serve did not become ready")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=20)

    def tree(self) -> list[int]:
        """The server's process and every process under it (its workers)."""
        found, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            try:
                for task in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{task}/children") as f:
                        todo.extend(int(c) for c in f.read().split())
            except OSError:
                pass
        return found

    def peak_memory_mib(self) -> tuple[float, float]:
        """The peak resident memory (VmHWM) of the server and its workers: added up, and of
        the largest one, in MiB."""
        peaks = []
        for pid in self.tree():
            try:
                with open(f"/proc/{pid}/status") as f:
                    for line in f:
                        if line.startswith("VmHWM:"):
                            peaks.append(int(line.split()[1]) / 1024)
            except OSError:
                pass
        return sum(peaks), max(peaks, default=0.0)


def drive(
    wrk: str,
    server: Server,
    script: Path,
    connections: int,
    seconds: float,
    *,
    as_of: str = EXAMPLE_AS_OF,
    bodies: Path | None = None,
) -> dict[str, float]:
    """One wrk run of `seconds`: requests, requests/s, p50 and p99 in ms, errors. With
    `bodies` (a JSON Lines file, and the LUA_RECORDS script), each request posts its next line."""
    url = f"{server.url}/v1/check?as_of={as_of}"
    assert url.startswith(f"http://{HOST}:"), url  # loopback, always
    threads = min(connections, 2)
    env = os.environ | {"CC_BODY": str(EXAMPLE), "CC_BODIES": str(bodies or "")}
    cmd = [wrk, "-t", str(threads), "-c", str(connections), "-d", f"{max(seconds, 1):.0f}s"]
    cmd += ["--timeout", "5s", "-s", str(script), url]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=seconds + 60)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        sys.exit(f"wrk said nothing usable: {proc.stdout[-2000:]} {proc.stderr[-2000:]}")
    requests, micros, p50, p99, errors = (int(v) for v in line.split()[1:])
    return {
        "requests": requests,
        "rps": requests / (micros / 1e6),
        "p50": p50 / 1000,
        "p99": p99 / 1000,
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs, fewer requests")
    parser.add_argument("--seconds", type=float, default=None, help="each wrk run (default 10)")
    parser.add_argument("--records", type=int, default=None, help="records the audit checks")
    parser.add_argument("--seed", type=int, default=2008)
    args = parser.parse_args()
    # Stopped from outside, it still stops the server it started (the `finally` below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    seconds = args.seconds or (3.0 if args.quick else 10.0)
    n_audit = args.records or (3_000 if args.quick else 20_000)
    first, second = (2_000, 20_000) if args.quick else (10_000, 100_000)

    exe = command()
    if exe is None:
        sys.exit("closure-check is not installed (pip install -e .)")
    wrk = ensure_wrk()
    print(f"{'quick run' if args.quick else 'full run'}; wrk {wrk}; every target is {HOST}")

    with tempfile.TemporaryDirectory(prefix="cc-serve-bench-") as tmp:
        folder = Path(tmp)
        audit_rps = audit_rate(folder, n_audit, args.seed, exe)
        print(f"audit --workers 2, {n_audit:,} records: {audit_rps:,.0f} records/s")
        script = folder / "post.lua"
        script.write_text(LUA, encoding="utf-8")

        server = Server(exe)
        try:
            one = httpx.post(
                f"{server.url}/v1/check?as_of={EXAMPLE_AS_OF}",
                content=EXAMPLE.read_bytes(),
                headers={"Content-Type": "application/json"},
                timeout=30,
            )
            if one.status_code != 200:
                sys.exit(f"POST /v1/check answered {one.status_code}: {one.text[:500]}")
            verdict = one.json()["verdict"]
            print(f"serve --workers 2 on {server.url}: POST /v1/check, {EXAMPLE.name} ({verdict})")
            done = int(drive(wrk, server, script, 8, 2)["requests"])  # warm up every worker
            memory: dict[int, tuple[float, float]] = {}

            rate = 1000.0  # requests/s at 32 connections, until measured

            def served(target: int) -> None:
                """Load at 32 connections, in runs of at most 10 s, until `target` requests
                have been answered in all; then the peak memory."""
                nonlocal done, rate
                while done < target:
                    secs = min(max((target - done) / rate, 1.0), 10.0)
                    r = drive(wrk, server, script, 32, secs)
                    if r["requests"] == 0:
                        sys.exit("the server answered no request in a whole run")
                    done += int(r["requests"])
                    rate = max(r["rps"], 1.0)
                memory[target] = server.peak_memory_mib()
                total, largest = memory[target]
                print(
                    f"  after {done:,} requests: peak memory {total:.0f} MiB for the server and"
                    f" its workers together (largest process {largest:.0f} MiB)"
                )

            served(first)
            results = {}
            for c in CONNECTIONS:
                r = drive(wrk, server, script, c, seconds)
                results[c] = r
                done += int(r["requests"])
                print(
                    f"  {c:>2} connection{'s' if c > 1 else ' '}: {r['rps']:8,.0f} requests/s"
                    f"  p50 {r['p50']:6.1f} ms  p99 {r['p99']:6.1f} ms"
                    f"  ({int(r['requests']):,} requests, {int(r['errors'])} errors)"
                )
            served(second)
            # Like for like: the audit's own records, posted in turn, at 32 connections.
            posted = folder / "posted.jsonl"
            with (folder / "records.jsonl").open(encoding="utf-8") as lines:
                posted.write_text("".join(itertools.islice(lines, RECORDS_POSTED)))
            records_script = folder / "records.lua"
            records_script.write_text(LUA_RECORDS, encoding="utf-8")
            own = drive(wrk, server, records_script, 32, seconds, as_of=AS_OF, bodies=posted)
            print(
                f"  32 connections, the audit's own records in turn: {own['rps']:8,.0f} requests/s"
                f"  p50 {own['p50']:6.1f} ms  p99 {own['p99']:6.1f} ms"
                f"  ({int(own['requests']):,} requests, {int(own['errors'])} errors)"
            )
        finally:
            server.stop()

    ratio = results[32]["rps"] / audit_rps
    like = own["rps"] / audit_rps
    growth = memory[second][0] / memory[first][0]
    print(
        f"32 connections: {ratio:.2f} x the audit's records/s posting {EXAMPLE.name},"
        f" {like:.2f} x posting the audit's own records; memory grew {growth:.2f} x"
    )
    targets = [
        (
            f"32 connections, {EXAMPLE.name}: requests/s >= {MIN_RATIO} x audit records/s",
            ratio >= MIN_RATIO,
        ),
        (
            f"32 connections, the audit's own records: requests/s >= {MIN_RATIO} x audit records/s",
            like >= MIN_RATIO,
        ),
        (f"the audit's own records: p99 <= {MAX_P99_MS:.0f} ms", own["p99"] <= MAX_P99_MS),
        (f"32 connections: p99 <= {MAX_P99_MS:.0f} ms", results[32]["p99"] <= MAX_P99_MS),
        (f"1 connection: p50 <= {MAX_P50_ONE_MS:.0f} ms", results[1]["p50"] <= MAX_P50_ONE_MS),
        (
            f"peak memory after {second:,} within {MAX_GROWTH} x of after {first:,}",
            growth <= MAX_GROWTH,
        ),
        (
            "no request refused or failed",
            all(r["errors"] == 0 for r in [*results.values(), own]),
        ),
    ]
    for name, met in targets:
        print(f"  [{'met' if met else 'NOT met'}] {name}")
    print(
        json.dumps(
            {"audit_rps": audit_rps, "results": results, "own_records": own, "memory_mib": memory}
        )
    )


if __name__ == "__main__":
    main()
