"""Run ktvctl in this process, as a terminal would see it (for tests that call it hundreds of
times: a subprocess costs ~1 s of imports each).

    from tests.support.ktvctl import run_ktvctl

    result = run_ktvctl(["--data-dir", str(ctl.data_dir), "rooms"], config_dir=tmp_path)
    result.code, result.stdout, result.stderr

stdout is strict UTF-8 like a real terminal's (printing an undecodable argument back fails
here as it would there); stderr uses backslashreplace, as Python's own does. ktvctl's
environment variables are cleared so the caller's shell cannot leak in; ``env`` adds some.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from controller.ktvctl import main

_KTVCTL_ENV = (
    "KTV_CONTROLLER",
    "KTV_TOKEN",
    "KTV_PIN",
    "KTV_TIMEOUT",
    "KTV_VENUE",
    "KTV_MDNS_INTERFACE",
    "KTV_CA_FILE",
    "KTV_CA_FINGERPRINT",
    "KTV_INSECURE",
    "KTV_DEBUG",
)


@dataclass(frozen=True)
class Result:
    code: int
    stdout: str
    stderr: str


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in (*_KTVCTL_ENV, *values)}
    try:
        for k in _KTVCTL_ENV:
            os.environ.pop(k, None)
        os.environ.update(values)
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_ktvctl(
    argv: Sequence[str], *, config_dir: Path, env: dict[str, str] | None = None
) -> Result:
    """``ktvctl ARGV``: its exit code, stdout and stderr. An exception escaping ``main``
    propagates (with ``KTV_DEBUG=1`` in ``env`` a bug shows its traceback)."""
    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", errors="strict", write_through=True)
    err = io.TextIOWrapper(err_bytes, encoding="utf-8", errors="backslashreplace")
    values = {"KTV_CONFIG_DIR": str(config_dir), "COLUMNS": "80", **(env or {})}
    with _environment(values), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    out.flush()
    err.flush()
    return Result(code, out_bytes.getvalue().decode("utf-8"), err_bytes.getvalue().decode("utf-8"))
