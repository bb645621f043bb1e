"""Browser harness: the app under `streamlit run` on a free port, driven by Debian's Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("SIAGA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]


def free_port() -> int:
    """A port nothing listens on (at the moment of asking)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class AppServer:
    """A running `streamlit run app.py` against its own database."""

    database_url: str
    port: int
    process: subprocess.Popen
    log_path: Path
    extra_env: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start_app(
    database_url: str, log_dir: Path, *, env: dict | None = None, timeout_s: float = 180
) -> AppServer:
    """Start the app and wait for /_stcore/health to answer ok (the first start seeds)."""
    port = free_port()
    log_path = log_dir / f"streamlit-{port}.log"
    full_env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SIAGA_DEMO_DAYS": "30",
        # The demo city's keep-alive adds calls at random: tests that count want a still city.
        "SIAGA_DEMO_LIVE": "0",
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    handle = log_path.open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            # An edit to a source file during a run must not reload modules inside the app
            # under test (its maps then reload and its cached objects stop pickling).
            "--server.fileWatcherType",
            "none",
        ],
        cwd=REPO,
        env=full_env,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    server = AppServer(database_url, port, process, log_path, env or {})
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            msg = f"streamlit exited with {process.returncode}:\n{server.log()}"
            raise RuntimeError(msg)
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return server
        except OSError:
            pass
        time.sleep(0.5)
    server.stop()
    msg = f"streamlit did not become healthy in {timeout_s}s:\n{server.log()}"
    raise RuntimeError(msg)


class RequestWatch:
    """Records page errors and every request to a host other than the app's own."""

    def __init__(self, page, app_url: str) -> None:
        self.app_host = urlparse(app_url).netloc
        self.page_errors: list[str] = []
        self.foreign_requests: list[str] = []
        self.dialogs: list[str] = []
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("dialog", self._on_dialog)
        page.context.route("**/*", self._route)

    def _on_dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route) -> None:
        url = route.request.url
        parsed = urlparse(url)
        if parsed.scheme in ("data", "blob", "about") or parsed.netloc == self.app_host:
            route.continue_()
            return
        self.foreign_requests.append(url)
        route.abort()
