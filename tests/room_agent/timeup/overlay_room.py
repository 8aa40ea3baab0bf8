"""The overlay over a real ``RoomCore`` (fake player, hand-moved clocks) in a Kivy window of
its own: prints one ``ok:`` line per thing it checked, or raises.

    python -m tests.room_agent.timeup.overlay_room OUT_DIR
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="ktv-timeup-kivy-"))
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")


def main(out_dir: Path) -> None:
    from kivy.config import Config

    Config.set("graphics", "width", "800")
    Config.set("graphics", "height", "480")
    from kivy.base import EventLoop
    from kivy.core.window import Window

    from room_agent.core.instruments import ManualClock, RecordingPlayer, RecordingSink, SongShelf
    from room_agent.core.ports import PlayerState, ServiceCalled, SessionOpened
    from room_agent.core.room import RoomCore
    from room_agent.core.time_left import TimePolicy
    from room_agent.ui.fonts import register_cjk_font
    from room_agent.ui.time_up import TimeOverlay
    from tests.room_agent.core.conftest import SONGS

    register_cjk_font(Path(os.environ["KIVY_HOME"]))
    EventLoop.ensure_window()
    clock = ManualClock()
    player, sink = RecordingPlayer(clock), RecordingSink()
    core = RoomCore(
        player,
        sink,
        SongShelf(SONGS),
        monotonic=clock,
        utcnow=clock.utcnow,
        time_policy=TimePolicy(fade_ms=1000),
    )
    core.start(run_loop=False)
    end = clock.utcnow() + timedelta(minutes=12)
    core.handle(SessionOpened("sessions/p1", clock.utcnow(), end_time=end))
    for song_id in ("s-qingtian", "s-houlai", "s-yiqi"):
        core.add_song(song_id)
    overlay = TimeOverlay(core, Window)

    def pump() -> None:
        for _ in range(3):
            EventLoop.idle()

    def run_for(seconds: float) -> None:
        for _ in range(int(seconds * 2)):
            clock.advance(0.5)
            core.tick()
        pump()

    pump()
    assert overlay.badge.text.startswith("剩余 12"), overlay.badge.text
    print("ok: badge", overlay.badge.text)
    run_for(2 * 60 + 1)
    assert overlay.banner.parent is Window and overlay.banner.opacity == 1
    assert "10 分钟" in overlay.banner.text
    assert player.state is PlayerState.PLAYING
    print("ok: warning over the screen, song playing")
    run_for(10 * 60 + 2)
    assert overlay.screen.parent is Window, "time-up screen not shown"
    assert player.state is PlayerState.PAUSED
    assert "晴天" in overlay.screen.queue.text and "后来" in overlay.screen.queue.text
    print("ok: time-up screen with the queue kept")
    overlay.screen.buttons[1].trigger_action(duration=0)
    overlay.screen.buttons[1].trigger_action(duration=0)
    pump()
    assert sink.events(ServiceCalled) == [ServiceCalled("extend", "1h")]
    assert "前台已收到" in overlay.screen.status.text
    Window.screenshot(name=str(out_dir / "overlay.png"))
    print("ok: 续钟 1h asked the desk once")
    core.handle(SessionOpened("sessions/p1", clock.utcnow(), end_time=end + timedelta(hours=1)))
    pump()
    assert overlay.screen.parent is None and player.state is PlayerState.PLAYING
    assert overlay.badge.text.startswith("剩余 59") or overlay.badge.text.startswith("剩余 1:0")
    print("ok: extension lifted the screen and resumed", overlay.badge.text)
    overlay.close()
    core.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
