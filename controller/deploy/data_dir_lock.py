"""One controller per data directory: ``serve`` holds an exclusive lock on
``DATA_DIR/controller.lock`` while it runs, and ``restore`` takes the same lock, so a database
is never replaced under a running controller and two controllers never share one."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from ktv.errors import FailedPrecondition

LOCK_FILE = "controller.lock"


class DataDirLock:
    """Held from ``acquire`` until ``release`` (or process exit: the kernel drops it)."""

    def __init__(self, data_dir: Path, fd: int) -> None:
        self.path = Path(data_dir) / LOCK_FILE
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, data_dir: Path, *, purpose: str) -> DataDirLock:
        """FailedPrecondition at once (never waits) when someone else holds it."""
        path = Path(data_dir) / LOCK_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o640)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise FailedPrecondition(
                f"a controller is running on {data_dir} (it holds {path}); stop it "
                f"(systemctl stop ktv-controller) before you {purpose}",
                reason="DATA_DIR_IN_USE",
            ) from None
        return cls(Path(data_dir), fd)

    def release(self) -> None:
        """Idempotent."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> DataDirLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
