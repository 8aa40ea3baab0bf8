"""KTV_STRICT=1 must turn a skip into a failure, or a missing dependency would pass CI silently."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(tmp_path: Path, strict: bool) -> subprocess.CompletedProcess[str]:
    (tmp_path / "conftest.py").write_text((ROOT / "tests" / "conftest.py").read_text())
    (tmp_path / "test_x.py").write_text(
        textwrap.dedent(
            """
            import pytest
            def test_skips():
                pytest.skip("libfoo missing")
            """
        )
    )
    env = {"PATH": "/usr/bin:/bin", "KTV_STRICT": "1" if strict else "0"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )


def test_skip_is_a_failure_under_ktv_strict(tmp_path: Path) -> None:
    result = _run(tmp_path, strict=True)
    assert result.returncode == 1, result.stdout
    assert "1 failed" in result.stdout


def test_skip_stays_a_skip_without_ktv_strict(tmp_path: Path) -> None:
    result = _run(tmp_path, strict=False)
    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout
