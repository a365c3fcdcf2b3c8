"""`consortium serve` stops cleanly: SIGTERM stops gunicorn and the task worker with it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> set[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    found = {int(p) for p in out.split()}
    for child in list(found):
        found |= _children(child)
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie has exited; only its parent's wait is missing.
    state = Path(f"/proc/{pid}/stat")
    return state.exists() and state.read_text().split()[2] != "Z"


@pytest.mark.xdist_group("serve")
def test_sigterm_stops_the_server_and_the_worker(tmp_path):
    env = {
        **os.environ,
        "CONSORTIUM_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "SECRET_KEY": "serve-test-only",
        "SITE_URL": "http://127.0.0.1:8000",
        "DJANGO_SETTINGS_MODULE": "consortium.settings",
        "CONSORTIUM_TESTING": "false",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    }
    env.pop("CONSORTIUM_DEMO", None)
    command = [sys.executable, "-m", "consortium"]
    subprocess.run([*command, "migrate", "-v", "0"], env=env, check=True, cwd=settings.BASE_DIR, timeout=300)
    port = _free_port()
    server = subprocess.Popen(
        [*command, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("consortium serve did not start")
                time.sleep(0.5)
        children = _children(server.pid)
        assert len(children) >= 3  # gunicorn's master and worker, and the task worker
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        time.sleep(0.5)
        assert not [pid for pid in children if _alive(pid)], "children left running after SIGTERM"
    finally:
        if server.poll() is None:
            server.kill()
        for pid in _children(server.pid):
            os.kill(pid, signal.SIGKILL)
