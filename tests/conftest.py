"""Suite-wide rules.

KTV_STRICT=1 (set by ./run test and CI): a test that skips, at run time or at collection
(e.g. a missing dependency), is reported as a failure. Only xfail is left alone.

Leaks (python-zeroconf's conftest is the model): a test that leaves a Python thread, a pending
asyncio task, a running child process or an open socket behind fails at teardown (after a
``gc.collect()`` and a short polled grace). What a module-, class- or package-scoped fixture
starts (during its setup, or while its tests use it, e.g. a server's worker threads or the
channels a factory fixture hands out) must be gone once the last of those fixtures is
finalized; what a session-scoped fixture starts during its setup is allowed until the session
ends, and what one grows later is named in ``SESSION_FIXTURE_GROWTH``. Process-wide
singletons of libraries are named in ``LIBRARY_SINGLETONS`` / ``LIBRARY_SINGLETON_PROCESSES``.
Finding a culprit: ``KTV_LEAK_EACH_TEST=1`` reports per test even inside a module fixture's
scope; ``KTV_LEAK_TRACE=1`` adds the stack that started each leftover thread.

The tracked tree: the suite must not change ``git status --porcelain`` (tests write to tmp;
``./run screenshots`` writes docs/screenshots on purpose). Editing tracked files while the
suite runs trips this check too.
"""

from __future__ import annotations

import asyncio
import gc
import os
import re
import subprocess
import tempfile
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

STRICT = os.environ.get("KTV_STRICT") == "1"
ROOT = Path(__file__).resolve().parents[1]

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
# One saved SC font for every agent the suite starts (saving it takes ~30 s; then it is reused,
# across runs too). tests/room_agent/ui/test_fonts.py checks what was saved.
os.environ.setdefault("KTV_FONT_DIR", str(Path(tempfile.gettempdir()) / "ktv-test-fonts"))


def _strict_fail(report: pytest.TestReport | pytest.CollectReport) -> None:
    report.outcome = "failed"
    report.longrepr = f"KTV_STRICT=1 turns skips into failures: {report.longrepr}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        _strict_fail(report)


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> object:
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped:
        _strict_fail(report)


# ---------------------------------------------------------------- leaks

# KTV_LEAK_EACH_TEST=1: report what a test leaves even while a module fixture that may own
# it is alive (to find which test of a module leaked what the module's end reports).
# How long a test's leftovers get to finish after its teardown (a thread told to stop may
# still be on its way out on a loaded machine): polled, not slept.
LEAK_GRACE_S = float(os.environ.get("KTV_LEAK_GRACE_S", "3"))

# Threads libraries start once per process and keep: thread name (regex) -> why.
LIBRARY_SINGLETONS: dict[str, str] = {}
# Child processes libraries start once per process and keep: command line (substring) -> why.
LIBRARY_SINGLETON_PROCESSES = {
    "multiprocessing.resource_tracker": "multiprocessing's resource tracker, one per process,"
    " started by the first semaphore (media_index bulk import's worker pool)",
}
# What a session-scoped fixture grows lazily while its tests use it (not while it is set up):
# fixture name -> thread names (regex). Stopped when the fixture is finalized.
SESSION_FIXTURE_GROWTH = {
    "ktv_app": (r"ktv-ui-io_\d+",),  # the touchscreen app's I/O pool starts threads on demand
}


def _threads() -> set[threading.Thread]:
    return {
        t
        for t in threading.enumerate()
        if t.is_alive()
        and t is not threading.main_thread()
        and not any(re.fullmatch(p, t.name) for p in LIBRARY_SINGLETONS)
    }


def _pending_tasks() -> set[asyncio.Task]:
    return {t for t in list(asyncio.tasks._all_tasks) if not t.done()}


def _children() -> dict[int, str]:
    kids: set[int] = set()
    me = os.getpid()
    for task in os.listdir(f"/proc/{me}/task"):
        try:
            kids.update(
                int(p) for p in Path(f"/proc/{me}/task/{task}/children").read_text().split()
            )
        except OSError:
            continue
    out: dict[int, str] = {}
    for pid in kids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            state = stat.rsplit(")", 1)[1].split()[0]
            cmd = (
                Path(f"/proc/{pid}/cmdline")
                .read_bytes()
                .replace(b"\0", b" ")
                .decode(errors="replace")
            )
        except OSError:
            continue
        singleton = any(key in cmd for key in LIBRARY_SINGLETON_PROCESSES)
        if state not in ("Z", "X") and not singleton:  # Z: exited, only not reaped yet
            out[pid] = cmd.strip()[:160]
    return out


def _sockets() -> dict[tuple[int, str], str]:
    out: dict[tuple[int, str], str] = {}
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            out[(int(fd), target)] = target
    return out


def _describe_sockets(keys: set[tuple[int, str]]) -> list[str]:
    inodes = {k[1][8:-1]: k for k in keys}
    names: dict[str, str] = {}
    for table in ("tcp", "tcp6", "udp", "udp6", "unix"):
        try:
            lines = Path(f"/proc/net/{table}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if table == "unix":
                inode, path = cols[6], (cols[7] if len(cols) > 7 else "")
                if inode in inodes:
                    names[inode] = f"unix {path}".strip()
            else:
                inode = cols[9]
                if inode in inodes:
                    local = cols[1].split(":")[-1]
                    remote = cols[2].split(":")[-1]
                    names[inode] = f"{table} :{int(local, 16)} -> :{int(remote, 16)}"
    return [f"fd {k[0]} {names.get(i, k[1])}" for i, k in sorted(inodes.items())]


@dataclass
class Snapshot:
    threads: set[threading.Thread]
    tasks: weakref.WeakSet
    children: dict[int, str]
    sockets: dict[tuple[int, str], str]

    @classmethod
    def take(cls) -> Snapshot:
        return cls(_threads(), weakref.WeakSet(_pending_tasks()), _children(), _sockets())


@dataclass
class Leftovers:
    threads: set[threading.Thread] = field(default_factory=set)
    tasks: weakref.WeakSet = field(default_factory=weakref.WeakSet)
    children: dict[int, str] = field(default_factory=dict)
    sockets: set[tuple[int, str]] = field(default_factory=set)

    def add(self, other: Leftovers) -> None:
        self.threads |= other.threads
        for t in other.tasks:
            self.tasks.add(t)
        self.children.update(other.children)
        self.sockets |= other.sockets

    def still_there(self) -> Leftovers:
        now = Snapshot.take()
        return Leftovers(
            {t for t in self.threads if t.is_alive()},
            weakref.WeakSet(t for t in self.tasks if not t.done()),
            {p: c for p, c in self.children.items() if p in now.children},
            {s for s in self.sockets if s in now.sockets},
        )

    def __bool__(self) -> bool:
        return bool(self.threads or len(self.tasks) or self.children or self.sockets)

    def describe(self) -> str:
        lines = [
            f"thread {t.name!r} ({_origin(t)})" for t in sorted(self.threads, key=lambda t: t.name)
        ]
        lines += [f"asyncio task {t!r}"[:300] for t in self.tasks]
        lines += [f"child process {p}: {c}" for p, c in sorted(self.children.items())]
        lines += [f"socket {s}" for s in _describe_sockets(self.sockets)]
        return "\n  ".join(lines)


def _origin(thread: threading.Thread) -> str:
    """Where a thread's code lives, to find who started it (KTV_LEAK_TRACE=1: and the stack
    that started it)."""
    target = getattr(thread, "_target", None) or type(thread).run
    code = getattr(target, "__code__", None)
    where = f" at {code.co_filename}:{code.co_firstlineno}" if code else ""
    started = getattr(thread, "_ktv_started_by", "")
    return f"runs {getattr(target, '__qualname__', target)!s}{where}{started}"


if os.environ.get("KTV_LEAK_TRACE") == "1":
    import traceback

    _start = threading.Thread.start

    def _traced_start(self: threading.Thread) -> None:
        stack = "".join(traceback.format_stack(limit=12)[:-1])
        self._ktv_started_by = "; started by:\n" + stack  # type: ignore[attr-defined]
        _start(self)

    threading.Thread.start = _traced_start  # type: ignore[method-assign]


def _since(before: Snapshot, allowed: Leftovers) -> Leftovers:
    now = Snapshot.take()
    return Leftovers(
        now.threads - before.threads - allowed.threads,
        weakref.WeakSet(
            t for t in _pending_tasks() if t not in before.tasks and t not in allowed.tasks
        ),
        {
            p: c
            for p, c in now.children.items()
            if p not in before.children and p not in allowed.children
        },
        set(now.sockets) - set(before.sockets) - allowed.sockets,
    )


def _settle(left: Leftovers, grace_s: float = LEAK_GRACE_S) -> Leftovers:
    if left:
        # objects in reference cycles (an aio channel or server a coroutine frame held) close
        # their threads and sockets when collected: collect now rather than some test later
        gc.collect()
        left = left.still_there()
    deadline = time.monotonic() + grace_s
    while left and time.monotonic() < deadline:
        time.sleep(0.02)
        left = left.still_there()
    return left


# Fixtures of a wider scope than the test (module, class, package) that are set up now, and
# what they started: during their setup, or during a test that used them (a server's worker
# threads, a client channel one fixture opened through another's factory). All of it must be
# gone once the last of those fixtures is finalized (at the end of the module, usually).
_wider_active: dict[int, str] = {}  # id(fixturedef) -> name
_wider_started = Leftovers()
_session_allowed = Leftovers()
_scope_leaks: list[str] = []  # found at a finalization, reported by the item's teardown


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef, request: pytest.FixtureRequest) -> object:
    if fixturedef.scope == "function":
        return (yield)
    before = Snapshot.take()
    try:
        return (yield)
    finally:
        made = _since(before, Leftovers())
        if fixturedef.scope == "session":
            _session_allowed.add(made)
        else:
            _wider_active[id(fixturedef)] = f"{fixturedef.scope}-scoped {fixturedef.argname!r}"
            _wider_started.add(made)


def pytest_fixture_post_finalizer(
    fixturedef: pytest.FixtureDef, request: pytest.FixtureRequest
) -> None:
    global _wider_started
    name = _wider_active.pop(id(fixturedef), None)
    if name is None or _wider_active:
        return
    left = _settle(_wider_started.still_there())
    _wider_started = Leftovers()
    if left:
        _scope_leaks.append(f"left behind after {name} and its scope ended:\n  {left.describe()}")


def _uses_wider_fixtures(item: pytest.Item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    return any(
        id(fd) in _wider_active
        for name in item.fixturenames
        for fd in info.name2fixturedefs.get(name, ())
    )


def _allowed_now() -> Leftovers:
    allowed = Leftovers()
    allowed.add(_session_allowed)
    allowed.add(_wider_started)
    return allowed


@pytest.fixture(autouse=True)
def _no_leaks(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails the test if it leaves threads, tasks, processes or sockets behind (see above)."""
    before = Snapshot.take()
    yield
    # This fixture is set up first among the test's function fixtures, so it is torn down
    # last: the others have cleaned up by now.
    left = _since(before, _allowed_now())
    grown = [p for name in request.fixturenames for p in SESSION_FIXTURE_GROWTH.get(name, ())]
    left.threads = {t for t in left.threads if not any(re.fullmatch(p, t.name) for p in grown)}
    if not left:
        return
    if _uses_wider_fixtures(request.node) and not os.environ.get("KTV_LEAK_EACH_TEST"):
        _wider_started.add(left)  # checked (with the grace) when those fixtures are finalized
        return
    left = _settle(left)
    if not left:
        return
    pytest.fail(f"{request.node.nodeid} left behind:\n  {left.describe()}", pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> object:
    result = yield
    if _scope_leaks:
        found = "\n".join(_scope_leaks)
        _scope_leaks.clear()
        pytest.fail(found, pytrace=False)
    return result


# ---------------------------------------------------------------- the tracked tree


def _git_status() -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=all"],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    # a file already changed before the run is listed the same after more changes: stamp it
    lines = []
    for line in done.stdout.splitlines():
        path = ROOT / line[3:].split(" -> ")[-1].strip('"')
        try:
            stat = path.stat()
            lines.append(f"{line}  (size {stat.st_size}, mtime_ns {stat.st_mtime_ns})")
        except OSError:
            lines.append(line)
    return "\n".join(lines)


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_TREE] = _git_status()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    before = session.config.stash.get(_TREE, None)
    if before is None:
        return
    after = _git_status()
    if after is not None and after != before:
        changed = set(after.splitlines()) ^ set(before.splitlines())
        if os.environ.get("KTV_UPDATE_SCREENSHOTS") == "1":  # ./run screenshots: on purpose
            changed = {line for line in changed if "docs/screenshots/" not in line}
    else:
        changed = set()
    if changed:
        session.config.stash[_TREE_CHANGED] = sorted(changed)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    changed = config.stash.get(_TREE_CHANGED, None)
    if changed:
        terminalreporter.section("the suite changed the tracked tree", red=True)
        for line in changed:
            terminalreporter.line(line)


_TREE = pytest.StashKey[str | None]()
_TREE_CHANGED = pytest.StashKey[list[str]]()
