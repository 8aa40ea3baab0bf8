"""A queued song plays from the room's cache after the NAS is gone.

Real processes: the controller, a headless agent running the real core with libVLC (PCM
captured) and ``[song_cache]`` on. The library is generated and scanned in this test's own
folder (the NAS). After the queued song is cached, the library folder is renamed away and an
empty folder put in its place: what a room sees when the NAS mount drops (every NAS path is
ENOENT). Root ignores ``chmod 000``, so that would prove nothing here; a rename does, and the
test checks that the NAS path really is gone before the song is skipped to.
"""

from __future__ import annotations

import os
from pathlib import Path

from media_index.catalog import Catalog
from tests.support.controller import start_controller
from tests.support.core_agents import (
    AgentProcess,
    build_library,
    open_sessions,
    start_agents,
    wait_until,
)

CACHE_CONFIG = "[song_cache]\nmax_mb = 64\nmin_free_mb = 1\n"


def test_a_queued_song_plays_after_the_nas_goes_away(
    tmp_path: Path, agents: list[AgentProcess]
) -> None:
    nas = build_library(tmp_path / "nas")
    hongdou = nas.by_title["红豆"]
    with Catalog(str(nas.catalog), readonly=True) as cat:
        nas_file = Path(cat.get(hongdou).path)
    if not nas_file.is_absolute():
        nas_file = nas.media_root / nas_file
    assert nas_file.is_file()
    with start_controller(tmp_path / "ctl") as ctl:
        ctl.add_room("A01", tier="small")
        agent = start_agents(
            ctl, nas, tmp_path / "agent", ["A01"], player="vlc", config_text=CACHE_CONFIG
        )
        agents.append(agent)
        open_sessions(ctl, ["A01"])
        assert wait_until(lambda: agent.control("A01", do="view")["screen"] != "LOCKED", 20)
        assert agent.control("A01", do="add_song", song_id=nas.by_title["晴天"])["ok"]
        assert agent.control("A01", do="add_song", song_id=hongdou)["ok"]  # queued next
        cached = agent.data_dir / "A01" / "song-cache" / hongdou
        assert wait_until(lambda: cached.is_dir(), 30), agent.log_text()[-2000:]

        unmounted = nas.media_root.with_name("songs-unmounted")
        os.rename(nas.media_root, unmounted)  # the NAS mount drops...
        nas.media_root.mkdir()  # ...leaving its empty mount point
        assert not nas_file.exists()

        assert agent.control("A01", do="skip")["ok"]  # 切歌: the queued song is next
        assert wait_until(lambda: agent.control("A01", do="view")["playing"] == hongdou, 10)
        before = agent.control("A01", do="view")["pcm_buffers"]
        assert wait_until(
            lambda: agent.control("A01", do="view")["pcm_buffers"] > before + 20, 10
        ), agent.log_text()[-2000:]
        view = agent.control("A01", do="view")
        assert (view["playing"], view["player_state"]) == (hongdou, "PLAYING"), view
        plays = [e for e in agent.journal("A01") if e["event"] == "play"]
        assert plays[-1]["song_id"] == hongdou
        assert str(plays[-1]["path"]).startswith(str(cached)), plays[-1]
        assert "无法播放" not in agent.log_text()
