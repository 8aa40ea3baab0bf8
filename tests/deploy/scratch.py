"""Scratch roots (a directory standing in for a box's filesystem) and the real commands."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.controller import REPO_ROOT

SYSTEMD_UNIT_DIR = Path("/usr/lib/systemd/system")
APP_BINARIES = ("ktv-controller", "ktv-agent")


def tree_state(root: Path) -> dict[str, tuple]:
    """Every path under ``root`` with content hash, mode, owner and mtime (ns)."""
    state: dict[str, tuple] = {}
    for p in sorted(root.rglob("*")):
        st = p.lstat()
        digest = (
            hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() and not p.is_symlink() else ""
        )
        link = str(p.readlink()) if p.is_symlink() else ""
        state[str(p.relative_to(root))] = (
            digest,
            link,
            st.st_mode,
            st.st_uid,
            st.st_gid,
            st.st_mtime_ns,
        )
    return state


def give_it_systemd(root: Path) -> None:
    """What ``systemd-analyze verify --root`` needs besides our units: the distribution's
    own units (targets our units are ordered against) and the app's executables."""
    dest = root / "usr/lib/systemd/system"
    if not dest.exists():
        shutil.copytree(SYSTEMD_UNIT_DIR, dest, symlinks=True)
    bindir = root / "opt/ktv/venv/bin"
    bindir.mkdir(parents=True, exist_ok=True)
    for name in APP_BINARIES:
        exe = bindir / name
        exe.write_text("#!/bin/sh\nexit 0\n")
        exe.chmod(0o755)


def ktv_controller(*args: str) -> subprocess.CompletedProcess:
    """The real ``ktv-controller`` command line, as a technician (or systemd) runs it."""
    return subprocess.run(
        [sys.executable, "-m", "controller", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
