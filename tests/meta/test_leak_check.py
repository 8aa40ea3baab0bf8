"""tests/conftest.py fails a test that leaves a thread, a pending asyncio task, a running child
process or an open socket behind, and a suite that changes the tracked tree; what a session
fixture keeps, and what a module fixture stops when it is finalized, is allowed."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

LEAKY = """
import asyncio, atexit, socket, subprocess, threading
import pytest

_keep = []
_stop = threading.Event()
atexit.register(_stop.set)

def _sleeper():
    return threading.Thread(target=_stop.wait, name="leaky-thread", daemon=True)

def test_clean():
    t = _sleeper(); t2 = threading.Thread(target=lambda: None); t2.start(); t2.join()

def test_thread():
    _sleeper().start()

def test_process():
    p = subprocess.Popen(["sleep", "30"])
    atexit.register(p.kill)

def test_socket():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); _keep.append(s)

def test_task():
    loop = asyncio.new_event_loop()
    _keep.append((loop, loop.create_task(asyncio.sleep(100))))
    loop.run_until_complete(asyncio.sleep(0))

@pytest.fixture(scope="session")
def session_worker():
    _sleeper().start()  # kept until the process ends: allowed

@pytest.fixture(scope="module")
def module_worker():
    stop = threading.Event()
    t = threading.Thread(target=stop.wait, name="module-worker", daemon=True)
    t.start()
    yield
    stop.set(); t.join()

def test_session_fixture_thread_is_allowed(session_worker, module_worker):
    pass
"""

MODULE_LEAK = """
import threading
import pytest

_stop = threading.Event()

@pytest.fixture(scope="module")
def server():
    threading.Thread(target=_stop.wait, name="never-stopped", daemon=True).start()
    yield

def test_uses_server(server):
    pass
"""


def _pytest(
    tmp_path: Path, files: dict[str, str], extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    (tmp_path / "tests").mkdir()
    (tmp_path / ".gitignore").write_text("__pycache__/\n")
    (tmp_path / "tests" / "conftest.py").write_text((ROOT / "tests" / "conftest.py").read_text())
    for name, text in files.items():
        (tmp_path / "tests" / name).write_text(textwrap.dedent(text))
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "KTV_LEAK_GRACE_S": "0.3",
        "GIT_CONFIG_GLOBAL": os.devnull,
        **(extra_env or {}),
    }
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(tmp_path)]
    for step in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "x"]):
        subprocess.run([*git, *step], check=True, env=env, capture_output=True)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )


def test_leaks_fail_the_test_that_left_them(tmp_path: Path) -> None:
    out = _pytest(tmp_path, {"test_leaky.py": LEAKY}).stdout
    assert "6 passed, 4 errors" in out, out
    for test, what in [
        ("test_thread", "thread 'leaky-thread'"),
        ("test_process", "child process"),
        ("test_socket", "socket fd"),
        ("test_task", "asyncio task"),
    ]:
        assert f"ERROR tests/test_leaky.py::{test}" in out, out
        assert what in out, (what, out)
    for clean in ("test_clean", "test_session_fixture_thread_is_allowed"):
        assert f"tests/test_leaky.py::{clean}" not in out, out


def test_a_module_fixture_that_never_stops_its_thread_fails(tmp_path: Path) -> None:
    out = _pytest(tmp_path, {"test_module.py": MODULE_LEAK}).stdout
    assert "1 passed, 1 error" in out, out
    assert "module-scoped 'server'" in out and "never-stopped" in out, out


WRITES = """
from pathlib import Path
ROOT = Path(__file__).resolve().parents[1]
def test_writes_a_screenshot():
    (ROOT / "docs" / "screenshots" / "a.png").write_text("new")
"""


@pytest.mark.parametrize("update_screenshots", [False, True])
def test_a_suite_that_changes_the_tracked_tree_fails(tmp_path: Path, update_screenshots) -> None:
    (tmp_path / "docs" / "screenshots").mkdir(parents=True)
    (tmp_path / "docs" / "screenshots" / "a.png").write_text("old")
    extra = {"KTV_UPDATE_SCREENSHOTS": "1"} if update_screenshots else {}
    out = _pytest(tmp_path, {"test_writes.py": WRITES}, extra_env=extra)
    if update_screenshots:  # ./run screenshots: docs/screenshots changes on purpose
        assert out.returncode == 0, out.stdout
    else:
        assert out.returncode == 1, out.stdout
        assert "the suite changed the tracked tree" in out.stdout
        assert "docs/screenshots/a.png" in out.stdout
