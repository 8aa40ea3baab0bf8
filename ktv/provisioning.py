"""Putting ktv onto a box, step by step, idempotently: run it twice, the second run reports
every step "unchanged".

Standard library only: ``python3 -m room_agent.provision`` runs on a fresh Raspberry Pi OS
before any venv exists. A ``HostTarget`` says where and how far to go:

* ``root``: the filesystem root (``/`` on the box; a scratch directory in tests and image
  builds). Offline tools honour it too: ``systemd-sysusers --root``, ``systemd-tmpfiles
  --root``, ``systemctl --root enable``.
* ``live``: also touch the running system (apt-get, the venv + pip, daemon-reload, start,
  enrollment over the network). Off = "files only": no apt, no live systemctl.
* ``dry_run``: write nothing, say what would change.
"""

from __future__ import annotations

import argparse
import enum
import hashlib
import importlib.util
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ktv.durable_files import write_atomically
from ktv.errors import FailedPrecondition, KtvError

REPO_ROOT = Path(__file__).resolve().parents[1]
SYSTEMD_SOURCE_DIR = REPO_ROOT / "systemd"
VENV_DIR = "/opt/ktv/venv"
INSTALL_STAMP = "/opt/ktv/installed-source.sha256"


class Outcome(enum.Enum):
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    WOULD_CHANGE = "would change"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class StepResult:
    step: str
    outcome: Outcome
    detail: str = ""

    def line(self) -> str:
        return f"{self.outcome.value:>12}  {self.step}" + (
            f"  ({self.detail})" if self.detail else ""
        )


@dataclass
class InstallReport:
    results: list[StepResult] = field(default_factory=list)

    def add(self, result: StepResult) -> StepResult:
        self.results.append(result)
        return result

    @property
    def changed(self) -> bool:
        return any(r.outcome in (Outcome.CHANGED, Outcome.WOULD_CHANGE) for r in self.results)

    def summary(self) -> str:
        lines = [r.line() for r in self.results]
        lines.append("result: " + ("changed" if self.changed else "unchanged"))
        return "\n".join(lines)


@dataclass(frozen=True)
class HostTarget:
    root: Path = Path("/")
    live: bool = True
    dry_run: bool = False
    runner: Callable[[Sequence[str]], subprocess.CompletedProcess] | None = None

    def path(self, absolute: str) -> Path:
        """``absolute`` (as on the box) inside this target's root."""
        return self.root / absolute.lstrip("/")

    @property
    def is_real_root(self) -> bool:
        return self.root.resolve() == Path("/")

    def run(self, argv: Sequence[str], *, check: bool = True) -> subprocess.CompletedProcess:
        if self.runner is not None:
            return self.runner(argv)
        proc = subprocess.run(list(argv), capture_output=True, text=True)
        if check and proc.returncode != 0:
            last = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            raise FailedPrecondition(f"`{' '.join(argv)}` failed ({proc.returncode}): {last[0]}")
        return proc


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def install_file(target: HostTarget, dest: str, content: bytes, mode: int = 0o644) -> StepResult:
    """Write ``content`` to ``dest`` unless it is already there with that mode."""
    path = target.path(dest)
    step = f"file {dest}"
    try:
        old = path.stat()
        same = path.read_bytes() == content and (old.st_mode & 0o7777) == mode
    except FileNotFoundError:
        old, same = None, False
    if same:
        return StepResult(step, Outcome.UNCHANGED)
    if target.dry_run:
        return StepResult(step, Outcome.WOULD_CHANGE)
    # a rewritten config keeps the owner and group tmpfiles gave it
    owner = (old.st_uid, old.st_gid) if old is not None else None
    write_atomically(path, content, mode, owner=owner)
    return StepResult(step, Outcome.CHANGED)


def _snapshot(paths: Sequence[Path]) -> list[tuple[str, str]]:
    """Content, mode and owner of ``paths`` (and of everything under directories)."""
    out = []
    for top in paths:
        for p in [top, *(sorted(top.rglob("*")) if top.is_dir() else [])]:
            try:
                st = p.lstat()
            except FileNotFoundError:
                out.append((str(p), "-"))
                continue
            content = _digest(p.read_bytes()) if p.is_file() and not p.is_symlink() else ""
            out.append((str(p), f"{st.st_mode:o} {st.st_uid} {st.st_gid} {content}"))
    return out


def _tool(target: HostTarget, step: str, argv: list[str], watched: Sequence[Path]) -> StepResult:
    if target.dry_run:
        return StepResult(step, Outcome.SKIPPED, "dry run")
    if shutil.which(argv[0]) is None:
        raise FailedPrecondition(f"{argv[0]} is not installed (Debian package: systemd)")
    before = _snapshot(watched)
    target.run(argv)
    changed = _snapshot(watched) != before
    return StepResult(step, Outcome.CHANGED if changed else Outcome.UNCHANGED)


def create_users(target: HostTarget, sysusers_files: Sequence[str]) -> StepResult:
    """``systemd-sysusers`` on our snippets: the ``ktv`` user and the kiosk's groups.

    Asked with ``--dry-run`` first: a real run rewrites nothing but still touches /etc.
    """
    step = "users (systemd-sysusers)"
    if shutil.which("systemd-sysusers") is None:
        raise FailedPrecondition("systemd-sysusers is not installed (Debian package: systemd)")
    argv = ["systemd-sysusers", f"--root={target.root}"]
    files = [str(target.path(f)) for f in sysusers_files]
    plan = target.run([*argv, "--dry-run", *files])
    if "Would write" not in plan.stdout + plan.stderr:
        return StepResult(step, Outcome.UNCHANGED)
    if target.dry_run:
        return StepResult(step, Outcome.WOULD_CHANGE)
    target.run([*argv, *files])
    return StepResult(step, Outcome.CHANGED)


def create_directories(target: HostTarget, tmpfiles_files: Sequence[str]) -> StepResult:
    """``systemd-tmpfiles --create`` on our snippets: state dirs with owner and mode."""
    watched: list[Path] = []
    for f in tmpfiles_files:
        for line in target.path(f).read_text().splitlines():
            parts = line.split()
            if len(parts) >= 2 and not line.startswith("#"):
                watched.append(target.path(parts[1]))
    argv = ["systemd-tmpfiles", "--create", f"--root={target.root}"]
    argv += [str(target.path(f)) for f in tmpfiles_files]
    return _tool(target, "directories (systemd-tmpfiles)", argv, watched)


def enable_units(target: HostTarget, units: Sequence[str]) -> StepResult:
    """``systemctl enable`` (``--root`` in files-only mode, which needs no running systemd)."""
    step = "enable " + " ".join(units)
    scope = [] if target.live and target.is_real_root else [f"--root={target.root}"]
    state = target.run(["systemctl", *scope, "is-enabled", *units], check=False)
    enabled = state.returncode == 0 and all(
        s.strip() == "enabled" for s in state.stdout.splitlines()
    )
    if enabled:
        return StepResult(step, Outcome.UNCHANGED)
    if target.dry_run:
        return StepResult(step, Outcome.WOULD_CHANGE)
    target.run(["systemctl", *scope, "enable", *units])
    return StepResult(step, Outcome.CHANGED)


def start_units(target: HostTarget, units: Sequence[str], *, restart: bool) -> StepResult:
    """Live only: reload systemd and (re)start what changed."""
    step = ("restart " if restart else "start ") + " ".join(units)
    if not target.live or not target.is_real_root:
        return StepResult(step, Outcome.SKIPPED, "files only")
    if target.dry_run:
        return StepResult(step, Outcome.SKIPPED, "dry run")
    if not restart:
        active = target.run(["systemctl", "is-active", *units], check=False)
        if active.returncode == 0:
            return StepResult(step, Outcome.UNCHANGED)
    target.run(["systemctl", "daemon-reload"])
    target.run(["systemctl", "restart" if restart else "start", *units])
    return StepResult(step, Outcome.CHANGED)


def install_apt_packages(target: HostTarget, packages: Sequence[str]) -> StepResult:
    step = f"apt packages ({len(packages)})"
    if not target.live or not target.is_real_root:
        return StepResult(step, Outcome.SKIPPED, "files only")
    missing = []
    for name in packages:
        q = target.run(["dpkg-query", "-W", "-f=${Status}", name], check=False)
        if "install ok installed" not in q.stdout:
            missing.append(name)
    if not missing:
        return StepResult(step, Outcome.UNCHANGED)
    if target.dry_run:
        return StepResult(step, Outcome.WOULD_CHANGE, " ".join(missing))
    target.run(["apt-get", "update", "-qq"])
    target.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing])
    return StepResult(step, Outcome.CHANGED, " ".join(missing))


def source_digest(source: Path) -> str:
    """What release the source tree is: a hash of its packaging and Python files."""
    h = hashlib.sha256()
    files = [source / "pyproject.toml"]
    for pkg in ("ktv", "controller", "room_agent", "media_index"):
        files += sorted((source / pkg).rglob("*.py")) if (source / pkg).is_dir() else []
    for f in files:
        if f.is_file():
            h.update(str(f.relative_to(source)).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def install_app(
    target: HostTarget, source: Path, *, system_site_packages: bool = False
) -> StepResult:
    """The app in ``/opt/ktv/venv``, installed from ``source`` (a release checkout)."""
    step = f"app in {VENV_DIR}"
    if not target.live:
        return StepResult(step, Outcome.SKIPPED, "files only")
    stamp = target.path(INSTALL_STAMP)
    digest = source_digest(source)
    venv = target.path(VENV_DIR)
    if (venv / "bin" / "python").exists() and stamp.is_file() and stamp.read_text() == digest:
        return StepResult(step, Outcome.UNCHANGED)
    if target.dry_run:
        return StepResult(step, Outcome.WOULD_CHANGE)
    python = venv / "bin" / "python"
    # pip >= 22.3 installs into another environment (--python): when the provisioner's own
    # Python has pip, the venv skips ensurepip (the slow part of making a venv on a Pi)
    outer_pip = importlib.util.find_spec("pip") is not None
    if not python.exists():
        argv = ["python3", "-m", "venv", str(venv)]
        argv += ["--system-site-packages"] if system_site_packages else []
        target.run(argv + (["--without-pip"] if outer_pip else []))
    if outer_pip:
        pip = [sys.executable, "-m", "pip", "--python", str(python)]
    else:
        if not (venv / "bin" / "pip").exists():
            target.run([str(python), "-m", "ensurepip"])
        pip = [str(python), "-m", "pip"]
    target.run([*pip, "install", "-q", str(source)])
    install_file(target, INSTALL_STAMP, digest.encode(), 0o644)
    return StepResult(step, Outcome.CHANGED)


def systemd_file(name: str) -> bytes:
    """A unit or snippet shipped in the repository's ``systemd/`` directory."""
    path = SYSTEMD_SOURCE_DIR / name
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise FailedPrecondition(f"{path} missing: run from a ktv release checkout") from exc


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    """``--root``, ``--files-only``, ``--dry-run``, ``--source``: the same for every installer."""
    parser.add_argument("--root", default="/", help="filesystem root to install into (default /)")
    parser.add_argument(
        "--files-only",
        action="store_true",
        help="no apt, no venv/pip, no live systemctl, no network (scratch roots, images)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="change nothing, say what would change"
    )
    parser.add_argument("--source", default=str(REPO_ROOT), help="ktv release checkout to install")


def target_from_arguments(args: argparse.Namespace) -> HostTarget:
    return HostTarget(root=Path(args.root), live=not args.files_only, dry_run=args.dry_run)


def report_or_error(program: str, make_report: Callable[[], InstallReport]) -> int:
    """Print the report (exit 0), or one line ``program: message`` and the error's exit code."""
    try:
        report = make_report()
    except KtvError as exc:
        print(f"{program}: {exc.message}", file=sys.stderr)
        return exc.exit_code
    print(report.summary())
    return 0
