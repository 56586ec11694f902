"""Start real servers on loopback for the tests: Oxigraph's SPARQL server and kravbib's web app."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            out = process.stdout.read().decode(errors="replace") if process.stdout else ""
            raise RuntimeError(f"server exited with {process.returncode}: {out[-2000:]}")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not start within {seconds} s")


class Server:
    def __init__(self, args: list[str], url: str, probe: str, env: dict | None = None, cwd: Path | None = None):
        self.url = url
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        env={**os.environ, **(env or {})}, cwd=cwd, start_new_session=True)
        wait_for(probe, self.process)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        if self.process.stdout:
            self.process.stdout.close()

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        if self.process.stdout:
            self.process.stdout.close()


def oxigraph_server(location: Path, timeout_s: int | None = None) -> Server:
    port = free_port()
    args = [str(BIN / "oxigraph"), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
            "--union-default-graph"]
    if timeout_s:
        args += ["--timeout-s", str(timeout_s)]
    url = f"http://127.0.0.1:{port}"
    return Server(args, url, f"{url}/query?query=ASK%7B%7D")


def kravbib_server(*store_args: str, env: dict | None = None, cwd: Path | None = None) -> Server:
    port = free_port()
    args = [str(BIN / "kravbib"), "serve", "--port", str(port), *store_args]
    url = f"http://127.0.0.1:{port}"
    return Server(args, url, f"{url}/sparql", env=env, cwd=cwd)
