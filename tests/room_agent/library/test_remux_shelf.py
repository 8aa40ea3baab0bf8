"""The remux shelf's folder after a player was killed mid-remux (no ffmpeg needed)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from room_agent.library.remux import RemuxShelf


def test_a_new_shelf_drops_partials_of_dead_players_only(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    dead = int(done.stdout)
    live = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                            stdin=subprocess.PIPE)  # fmt: skip
    try:
        key = "0123456789abcdef0123"
        names = {
            "killed": f".{key}.{dead}.140000.partial",
            "old_format": f".{key}.140000.partial",  # before partials carried a pid
            "other_player": f".{key}.{live.pid}.140000.partial",
            "this_process": f".{key}.{os.getpid()}.140000.partial",
            "made": f"{key}.mkv",
        }
        for name in names.values():
            (tmp_path / name).write_bytes(b"x" * 10)
        RemuxShelf(tmp_path)
        left = {p.name for p in tmp_path.iterdir()}
        assert left == {names["other_player"], names["this_process"], names["made"]}
    finally:
        live.communicate(b"")
    RemuxShelf(tmp_path / "not-made-yet")  # no folder yet: nothing to clean, no error
