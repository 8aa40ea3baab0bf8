"""The touchscreen app itself (real Kivy, offscreen, its own process) with the room's gRPC
front desk against a real controller: service screen (menu, order receipt, bill, member,
acknowledgement), 续钟 from the badge and 到钟 with member payment, at the official 7"
touchscreen's 800x480 and at 1920x1080; the overlay never covers the app's top bar.
``KTV_UPDATE_SCREENSHOTS=1`` refreshes docs/screenshots/."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.room_agent.desk.conftest import Desk

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
SHOTS = ROOT / "docs" / "screenshots"
ARTIFACTS = ROOT / "artifacts" / "desk"
NAMES = (
    "service-menu",
    "service-bill",
    "service-member",
    "service-acknowledged",
    "extend-panel",
    "timeup-inapp",
    "timeup-member",
)


@pytest.mark.parametrize("size", [(800, 480), (1920, 1080)], ids=["800x480", "1920x1080"])
def test_the_service_screen_and_续钟_inside_the_app_with_a_real_controller(
    size: tuple[int, int], ctl, desk: Desk, tmp_path: Path
) -> None:
    width, height = size
    phone = f"1380013{width % 10000:04d}"
    desk.member(phone, "2580", top_up_fen=50_000)
    opened = desk.open("A08", prepaid_minutes=60, cash_fen=50_000)
    spec = {
        "address": ctl.address,
        "token": ctl.enroll_agent("A08"),
        "session": f"sessions/{opened.name.removeprefix('bills/')}",
        "phone": phone,
        "pin": "2580",
    }
    env = {**os.environ, "KIVY_HOME": str(tmp_path / "kivy"), "KTV_DESK_JSON": json.dumps(spec)}
    env.pop("DISPLAY", None)
    (tmp_path / "kivy").mkdir()
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.room_agent.desk.render_in_app",
                str(tmp_path / "shots"),
                str(width),
                str(height),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == 0, done.stdout + done.stderr[-4000:]
        checked = [ln for ln in done.stdout.splitlines() if ln.startswith("ok: ")]
        assert len(checked) == 12, done.stdout
        label = f"{width}x{height}"
        for name in NAMES:
            shot = tmp_path / "shots" / f"{name}.png"
            assert shot.stat().st_size > 5000, name  # a real picture, not an empty frame
            (ARTIFACTS / label).mkdir(parents=True, exist_ok=True)
            shutil.copy(shot, ARTIFACTS / label / shot.name)
            if os.environ.get("KTV_UPDATE_SCREENSHOTS") == "1":
                shutil.copy(shot, SHOTS / label / shot.name)
        # the member really paid: the balance went down by the 续钟 price
        assert desk.balance_fen(phone) < 60_000
    finally:
        desk.checkout("A08")
