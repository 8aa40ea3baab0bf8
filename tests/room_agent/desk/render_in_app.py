"""The real touchscreen app (``KtvApp``, offscreen, a window of its own: run as a subprocess)
over a real ``RoomCore`` (fake player), with the room's gRPC front desk talking to a real
controller and the prepaid-time overlay on top. Drives the service screen (menu at the room
tier's prices, an order, the bill, member sign-in, the desk's acknowledgement), the 续钟 panel
from the badge and the 到钟 screen with member payment; checks that the overlay never covers
the app's top bar; prints one ``ok:`` line per check and saves screenshots.

    KTV_DESK_JSON='{"address": ..., "token": ..., "session": ..., "phone": ..., "pin": ...}' \\
        python -m tests.room_agent.desk.render_in_app OUT_DIR WIDTH HEIGHT
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="ktv-desk-kivy-"))
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")


def main(out_dir: Path, width: int, height: int, spec: dict[str, str]) -> None:
    from kivy.config import Config

    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("input", "mouse", "")
    Config.set("graphics", "multisamples", "0")
    from kivy.base import EventLoop
    from kivy.core.window import Window
    from kivy.tests.common import UnitTestTouch

    from room_agent.core.instruments import RecordingPlayer, RecordingSink, SongShelf
    from room_agent.core.ports import ServiceAcknowledged, SessionOpened
    from room_agent.core.room import RoomCore
    from room_agent.core.time_left import TimePolicy
    from room_agent.link.credentials import AgentCredential
    from room_agent.link.discovery import parse_host_port
    from room_agent.link.front_desk import GrpcFrontDesk
    from room_agent.ui.app import KtvApp, TouchscreenConfig
    from room_agent.ui.core_adapter import CoreRoomControl, RoomIdentity
    from room_agent.ui.time_up import TimeOverlay
    from tests.room_agent.core.conftest import SONGS
    from tests.room_agent.ui.doubles import ShelfCatalog, ShelfSong

    def pump(frames: int = 3) -> None:
        for _ in range(frames):
            EventLoop.idle()

    def until(what: str, condition: Callable[[], bool], timeout_s: float = 20.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            pump(1)
            time.sleep(0.01)
        pump(2)

    def tap(widget: object) -> None:
        pump(1)
        x, y = widget.to_window(*widget.center)  # type: ignore[attr-defined]
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()
        pump(2)

    def shoot(name: str) -> None:
        pump(4)
        taken = Window.screenshot(name=str(out_dir / f"{name}.png"))
        Path(taken).replace(out_dir / f"{name}.png")

    core = RoomCore(
        RecordingPlayer(), RecordingSink(), SongShelf(SONGS), time_policy=TimePolicy(fade_ms=0)
    )
    core.start()
    now = datetime.now(UTC)
    session = spec["session"]
    core.handle(SessionOpened(session, now, now + timedelta(minutes=58)))
    for song in SONGS[:4]:
        core.add_song(song.song_id)
    control = CoreRoomControl(
        core, RoomIdentity("A08", "A08 小包", "small"), SongShelf(SONGS), online=True
    )
    address = parse_host_port(spec["address"])
    credential = AgentCredential(room="rooms/A08", agent_token=spec["token"])
    front = GrpcFrontDesk("A08", address=lambda: address, credential=lambda: credential)
    shelf = ShelfCatalog([ShelfSong(s, "", "", "male") for s in SONGS])
    app = KtvApp(control, shelf, front, TouchscreenConfig(data_dir=Path(os.environ["KIVY_HOME"])))
    app._run_prepare()
    pump(4)
    overlay = TimeOverlay(core, Window, desk=front)
    pump(4)
    session_view = app.root.session
    top_bar = session_view.ids.top_bar
    bar_bottom = top_bar.to_window(top_bar.x, top_bar.y)[1]

    # --- the service screen against the real controller --------------------------------
    tap(session_view.ids.tab_service)
    service = session_view.screens["service"]
    until("the menu", lambda: len(service.lines) >= 3)
    menu = service.lines
    assert any(line[1] == "¥10.00" for line in menu if line[2] == "beer"), menu
    print("ok: menu at the small tier's prices", [ln[:2] for ln in service.lines])
    service.order("beer")
    until("the order's receipt", lambda: app.toast.startswith("已下单"))
    print("ok: order receipt", app.toast)
    shoot("service-menu")
    tap(service.ids.tab_bill)
    until("the bill", lambda: len(service.lines) >= 2)
    assert any("青岛啤酒" in label for label, *_ in service.lines), service.lines
    print("ok: bill", [ln[:2] for ln in service.lines])
    shoot("service-bill")
    app.toast = ""  # the order's receipt has been read
    tap(service.ids.tab_member)
    for digit in spec["phone"]:
        service.keypad(digit)
    service.field = "pin"
    for digit in spec["pin"]:
        service.keypad(digit)
    pump(2)
    tap(service.ids.sign_in)
    until("the member's card", lambda: "积分" in service.status)
    print("ok: member signed in", service.status.replace("\n", " "))
    shoot("service-member")
    service.call("water")  # what the 加水 button does
    until("called", lambda: service.call_status.startswith("已呼叫"))
    core.handle(ServiceAcknowledged(staff="w-lily", call_kind="water"))  # what the link delivers
    until("the acknowledgement", lambda: service.call_status.startswith("服务员马上到"))
    assert "w-lily" in service.call_status
    print("ok: acknowledged", service.call_status)
    shoot("service-acknowledged")

    # --- the badge and the 续钟 panel ---------------------------------------------------
    until("the badge", lambda: overlay.badge.text.startswith("剩"))
    from kivy.uix.behaviors import ButtonBehavior

    b = overlay.badge
    covered = [
        getattr(w, "text", "")
        for w in top_bar.walk(restrict=True)
        if isinstance(w, ButtonBehavior)
        and w.opacity > 0
        and w.width > 0
        and (lambda x, y: x < b.right - 1 and x + w.width > b.x + 1)(*w.to_window(w.x, w.y))
    ]
    assert not covered, covered  # the badge takes the clock's place, never a button's
    print("ok: the badge sits in the top bar's clock slot", b.text)
    tap(overlay.badge)
    until("the panel's prices", lambda: "¥" in overlay.screen.buttons[1].text)
    assert overlay.screen.top <= bar_bottom + 0.5, (overlay.screen.top, bar_bottom)
    print("ok: 续钟 panel from the badge", overlay.screen.buttons[1].text.replace("\n", " "))
    shoot("extend-panel")
    tap(overlay.screen.close_button)
    assert overlay.screen.parent is None

    # --- 到钟 inside the app ----------------------------------------------------------------
    core.handle(SessionOpened(session, now, datetime.now(UTC) + timedelta(seconds=1)))
    until("到钟", lambda: overlay.screen.parent is Window, timeout_s=30)
    until("prices on 到钟", lambda: "¥" in overlay.screen.buttons[0].text)
    assert overlay.screen.top <= bar_bottom + 0.5
    assert top_bar.opacity == 1
    print("ok: 到钟 under the top bar with priced options")
    shoot("timeup-inapp")
    tap(overlay.screen.member_button)
    tap(overlay.screen.buttons[1])
    pad = overlay.screen.pad
    for digit in spec["phone"] + "p" + "0000":
        if digit == "p":
            tap(pad.pin_button)
        else:
            pad.press(digit)
    tap(pad.pay_button)
    until("the wrong PIN said", lambda: "密码错误" in overlay.screen.status.text)
    assert pad.pin == "" and overlay.screen.parent is Window  # nothing paid, PIN cleared
    print("ok: a wrong PIN is one line on 到钟", overlay.screen.status.text)
    for digit in spec["pin"]:
        pad.press(digit)
    pump(2)
    shoot("timeup-member")
    tap(overlay.screen.pad.pay_button)
    until("paid", lambda: "已续钟" in overlay.screen.status.text)
    print("ok: paid from the balance", overlay.screen.status.text)
    bill = front.bill()
    print("ok: bill after 续钟", bill.total_fen)
    core.handle(SessionOpened(session, now, datetime.now(UTC) + timedelta(hours=1)))
    until("the screen lifted", lambda: overlay.screen.parent is None)
    print("ok: the extension lifted 到钟")
    overlay.close()
    front.close()
    app.shutdown()
    app._stop()
    core.close()


if __name__ == "__main__":
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    try:
        main(out, int(sys.argv[2]), int(sys.argv[3]), json.loads(os.environ["KTV_DESK_JSON"]))
    except BaseException:
        import traceback

        print(traceback.format_exc(), flush=True)  # Kivy owns stderr
        os._exit(1)
