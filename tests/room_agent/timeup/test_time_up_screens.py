"""The badge, the warning and the time-up screen, rendered by real Kivy (offscreen, in a
process of its own) at the touchscreen's 800x480 and a 1920x1080 screen. The pictures stay in
tmp; ``./run screenshots`` (KTV_UPDATE_SCREENSHOTS=1) refreshes docs/screenshots/."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SHOTS = ROOT / "docs" / "screenshots"


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


@pytest.mark.parametrize("size", [(800, 480), (1920, 1080)])
def test_time_left_badge_warning_and_time_up_screen_render_with_chinese_text(
    size: tuple[int, int], tmp_path: Path
) -> None:
    width, height = size
    env = {**os.environ, "KIVY_HOME": str(tmp_path / "kivy")}
    env.pop("DISPLAY", None)
    (tmp_path / "kivy").mkdir()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.room_agent.timeup.render_time_up",
            str(tmp_path),
            str(width),
            str(height),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "extend:1h" in done.stdout  # the 续钟 1h button asked for one hour
    target = SHOTS / f"{width}x{height}"
    for name in ("timeup-badge", "timeup-warning", "timeup-screen"):
        shot = tmp_path / f"{name}.png"
        assert png_size(shot) == (width, height)
        assert shot.stat().st_size > 5_000  # text drawn, not a blank frame
        if os.environ.get("KTV_UPDATE_SCREENSHOTS") == "1":  # ./run screenshots
            target.mkdir(parents=True, exist_ok=True)
            (target / f"{name}.png").write_bytes(shot.read_bytes())


def test_the_overlay_follows_the_room_warning_time_up_extend_request_and_resume(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "KIVY_HOME": str(tmp_path / "kivy")}
    env.pop("DISPLAY", None)
    (tmp_path / "kivy").mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "tests.room_agent.timeup.overlay_room", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    checked = [ln for ln in done.stdout.splitlines() if ln.startswith("ok: ")]
    assert len(checked) == 5, done.stdout
