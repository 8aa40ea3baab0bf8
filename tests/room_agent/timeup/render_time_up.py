"""Renders the prepaid-time widgets in a Kivy window of its own (run as a subprocess: Kivy
allows one window per process) and saves three screenshots: badge, warning, time up.

    python -m tests.room_agent.timeup.render_time_up OUT_DIR WIDTH HEIGHT
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="ktv-timeup-kivy-"))
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")


def main(out_dir: Path, width: int, height: int) -> list[Path]:
    from kivy.config import Config

    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    from kivy.base import EventLoop
    from kivy.core.window import Window
    from kivy.metrics import Metrics, dp
    from kivy.uix.floatlayout import FloatLayout
    from kivy.uix.label import Label

    from room_agent.core.time_left import PrepaidTime, TimePolicy
    from room_agent.ui.fonts import register_cjk_font
    from room_agent.ui.time_up import TimeBadge, TimeUpScreen, TimeWarningBanner

    register_cjk_font(Path(os.environ["KIVY_HOME"]))
    Window.size = (width, height)
    Metrics.density = max(1.0, min(width / 800, height / 480))
    EventLoop.ensure_window()

    t0 = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)
    prepaid = PrepaidTime(TimePolicy())
    prepaid.set_end(t0 + timedelta(minutes=90), t0)

    root = FloatLayout()
    root.add_widget(
        Label(
            text="正在播放  七里香 — 周杰伦\n窗外的麻雀 在电线杆上多嘴",
            font_size=dp(28),
            halign="center",
        )
    )
    badge = TimeBadge(size_hint=(0.22, 0.1), pos_hint={"right": 0.99, "top": 0.99})
    root.add_widget(badge)
    Window.add_widget(root)

    shots: list[Path] = []

    def shoot(name: str) -> None:
        for _ in range(3):
            EventLoop.idle()
        taken = Window.screenshot(name=str(out_dir / f"{name}.png"))
        target = out_dir / f"{name}.png"
        Path(taken).replace(target)
        shots.append(target)

    badge.show(prepaid.at(t0 + timedelta(minutes=3)))
    shoot("timeup-badge")

    banner = TimeWarningBanner(size_hint=(0.9, 0.2), pos_hint={"center_x": 0.5, "y": 0.05})
    root.add_widget(banner)
    badge.show(prepaid.at(t0 + timedelta(minutes=80)))
    banner.show(10)
    shoot("timeup-warning")

    root.remove_widget(banner)
    prepaid.poll(t0 + timedelta(minutes=90))
    picked: list[str] = []
    screen = TimeUpScreen(on_extend=picked.append)
    screen.show(
        "七里香 — 周杰伦",
        [
            "晴天 — 周杰伦",
            "后来 — 刘若英",
            "海阔天空 — Beyond",
            "月亮代表我的心 — 邓丽君",
            "小幸运 — 田馥甄",
        ],
    )
    root.add_widget(screen, index=1)  # under the badge
    badge.show(prepaid.at(t0 + timedelta(minutes=90)))
    screen.buttons[1].trigger_action(duration=0)
    screen.requested(picked[-1], True)
    shoot("timeup-screen")
    print("extend:" + ",".join(picked))
    return shots


if __name__ == "__main__":
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for path in main(out, int(sys.argv[2]), int(sys.argv[3])):
        print(path)
