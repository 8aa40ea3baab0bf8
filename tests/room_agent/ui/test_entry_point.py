"""``run_touchscreen`` (what the agent's CLI calls) opens the app window and closes cleanly.
Kivy allows one window per process, so this runs in a child process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

CHILD = textwrap.dedent(
    """
    from pathlib import Path

    from kivy.app import App
    from kivy.clock import Clock

    from room_agent.ui.app import TouchscreenConfig, run_touchscreen
    from room_agent.ui.desk import UnavailableFrontDesk
    from tests.room_agent.ui.conftest import SHELF
    from tests.room_agent.ui.doubles import RoomDouble, ShelfCatalog

    def stop(dt):
        app = App.get_running_app()
        print("SCREEN", app.root.current, app.root.session.ids.tab_search.text, flush=True)
        app.stop()

    Clock.schedule_once(stop, 1.0)
    run_touchscreen(RoomDouble(), ShelfCatalog(SHELF), UnavailableFrontDesk(),
                    TouchscreenConfig(size=(1024, 600), data_dir=Path(DATA)))
    print("STOPPED", flush=True)
    """
)


def test_run_touchscreen_opens_the_ordering_screen_and_stops(tmp_path):
    env = dict(os.environ, KIVY_NO_ARGS="1", KIVY_HOME=str(tmp_path / "kivy"))
    if not env.get("DISPLAY"):
        env["SDL_VIDEODRIVER"] = "offscreen"
    code = f"DATA = {str(tmp_path / 'data')!r}\n" + CHILD
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "SCREEN open 点歌" in done.stdout, done.stderr[-3000:]
    assert "STOPPED" in done.stdout
    assert done.returncode == 0
