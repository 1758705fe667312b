"""Starting the real server for the service's tests: `closure-check serve` in a process of its
own on a free loopback port, ready when /health/ready answers 200, its standard output and
error kept in files to be searched, stopped at the end."""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

START_DEADLINE = 60.0  # seconds for the server and its workers to be ready


def cli() -> list[str]:
    script = Path(sys.executable).parent / "closure-check"
    return [str(script)] if script.exists() else [sys.executable, "-m", "closure_check.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    out: Path
    err: Path
    verify: ssl.SSLContext | bool = True

    def logs(self) -> str:
        return self.out.read_text(errors="replace") + self.err.read_text(errors="replace")

    def client(self, **kwargs: object) -> httpx.Client:
        kwargs.setdefault("verify", self.verify)
        return httpx.Client(base_url=self.url, timeout=60, **kwargs)  # type: ignore[arg-type]

    def workers(self) -> list[int]:
        """The pids of the checking processes: the children of the fork server, itself a child
        of the server (read from /proc)."""
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
        found = []
        for child in children.get(self.process.pid, []):
            try:
                cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            except OSError:
                continue
            if b"forkserver" in cmdline:
                found += children.get(child, [])
        return found


@contextmanager
def serving(
    folder: Path, *args: str, env: Mapping[str, str] | None = None, ready: bool = True
) -> Iterator[Server]:
    """A server started with `args`, stopped (terminated, then killed) afterwards."""
    port = free_port()
    out, err = folder / f"serve-{port}.out", folder / f"serve-{port}.err"
    with out.open("wb") as o, err.open("wb") as e:
        process = subprocess.Popen(
            [*cli(), "serve", "--port", str(port), *args],
            stdout=o,
            stderr=e,
            env={**os.environ, **(env or {})},
        )
    server = Server(f"http://127.0.0.1:{port}", process, out, err)
    if "--tls-cert" in args:  # trust the test's own certificate, and nothing else
        cert = args[args.index("--tls-cert") + 1]
        server.url = f"https://127.0.0.1:{port}"
        server.verify = ssl.create_default_context(cafile=cert)
    try:
        if ready:
            _wait_ready(server)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:  # pragma: no cover - a server that will not stop
            process.kill()
            process.wait()


def _wait_ready(server: Server) -> None:
    deadline = time.monotonic() + START_DEADLINE
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"the server stopped: {server.logs()[-3000:]}")
        try:
            answer = httpx.get(server.url + "/health/ready", timeout=2, verify=server.verify)
            if answer.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"the server was not ready in time: {server.logs()[-3000:]}")
