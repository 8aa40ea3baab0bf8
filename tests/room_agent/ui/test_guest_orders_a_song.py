"""A guest's first minutes: type initials, pick a song, see it queued and playing, sing along
with the lyrics, switch 原唱/伴唱, skip to the next song."""

from __future__ import annotations

from room_agent.core.ports import PlayerState, VocalSwitch


def test_typing_zjl_shows_jay_chou_songs_as_the_keys_are_pressed(guest, catalog):
    guest.tap(guest.session.ids.tab_search)
    search = guest.session.screens["search"]
    guest.type_keys(search.ids.keyboard, "z")
    guest.until(lambda: search.query == "z" and search.total == 5)  # 周杰伦 x4, 周华健
    guest.type_keys(search.ids.keyboard, "jl")
    guest.until(lambda: search.total == 4)
    titles = [row["title"] for row in search.ids.results.data]
    assert titles == ["七里香", "晴天", "稻香", "告白气球"]
    assert catalog.requests[-1].query == "zjl"
    guest.shot("results")


def test_tapping_a_result_queues_it_and_the_idle_room_starts_playing_it(guest, room):
    guest.tap(guest.session.ids.tab_search)
    search = guest.session.screens["search"]
    guest.type_keys(search.ids.keyboard, "zjl")
    guest.until(lambda: search.total == 4)
    guest.tap(guest.row(search.ids.results, song_id="s-qlx").ids.add)
    guest.tap(guest.row(search.ids.results, song_id="s-qt").ids.add)
    guest.tap(guest.row(search.ids.results, song_id="s-gbh").ids.add_top)
    assert room.intents[:3] == [
        ("enqueue", ("s-qlx", False)),
        ("enqueue", ("s-qt", False)),
        ("enqueue", ("s-gbh", True)),
    ]
    guest.until(lambda: guest.app.playback.song is not None)
    assert guest.app.playback.song.title == "七里香"
    assert "告白气球" in guest.app.toast  # 已优先：告白气球

    guest.tap(guest.session.ids.tab_queue)
    queue = guest.session.screens["queue"]
    guest.until(lambda: [r["title"] for r in queue.ids.entries.data] == ["告白气球", "晴天"])
    assert guest.session.ids.tab_queue.text == "已点 2"
    guest.shot("queue")


def test_lyrics_wipe_advances_with_the_song_and_the_next_line_is_shown(guest, room):
    room.enqueue("s-qlx")
    guest.tap(guest.session.ids.tab_now_playing)
    now = guest.session.screens["now_playing"]
    karaoke = now.ids.karaoke
    room.advance(1000 + 3 * 300 + 150)  # inside the 4th word (麻), half sung
    guest.until(lambda: now.line == "窗外的麻雀在电线杆上多嘴")
    assert now.next_line == "你说这一句很有夏天的感觉"
    assert karaoke.wiped_chars == 3.5
    first = karaoke.wipe_fraction
    guest.shot("lyrics-word-timed")
    room.advance(6 * 300)
    guest.until(lambda: karaoke.wiped_chars == 9.5)
    assert karaoke.wipe_fraction > first
    room.advance(5000 + 2000 - room.playback.position_ms)  # line without word timings: half way
    guest.until(lambda: now.line == "你说这一句很有夏天的感觉")
    assert karaoke.wiped_chars == len("你说这一句很有夏天的感觉") / 2
    assert now.ids.next_line.text == "手中的铅笔在纸上来来回回"
    guest.shot("lyrics-line-timed")


def test_vocal_button_switches_between_original_and_accompaniment(guest, room):
    room.enqueue("s-qlx")
    guest.tap(guest.session.ids.tab_now_playing)
    vocal = guest.session.screens["now_playing"].ids.vocal
    guest.until(lambda: vocal.text == "伴唱")
    guest.tap(vocal)
    guest.until(lambda: guest.app.playback.vocal is VocalSwitch.ORIGINAL)
    assert vocal.text == "原唱"
    guest.tap(guest.session.ids.bottom_bar.ids.vocal)  # the bottom bar does the same
    guest.until(lambda: guest.app.playback.vocal is VocalSwitch.ACCOMPANIMENT)
    assert room.intents.count(("toggle_vocal", None)) == 2


def test_skip_moves_to_the_next_song_in_the_queue(guest, room):
    room.enqueue("s-qlx")
    room.enqueue("s-hhb")
    guest.tap(guest.session.ids.bottom_bar.ids.skip)
    guest.until(lambda: guest.app.playback.song.title == "后来")
    assert guest.app.queue_view.pending == ()
    assert [e.song.title for e in guest.app.queue_view.sung] == ["后来", "七里香"]


def test_pause_and_resume_from_the_bottom_bar(guest, room):
    room.enqueue("s-qlx")
    pause = guest.session.ids.bottom_bar.ids.pause
    guest.until(lambda: pause.text == "暂停")
    guest.tap(pause)
    guest.until(lambda: guest.app.playback.state is PlayerState.PAUSED)
    assert pause.text == "播放"
    guest.tap(pause)
    guest.until(lambda: guest.app.playback.state is PlayerState.PLAYING)


def test_a_refused_order_shows_why_and_the_screen_carries_on(guest, room):
    from ktv.errors import FailedPrecondition

    room.refuse = FailedPrecondition("包厢未开房，请联系前台")
    guest.tap(guest.session.ids.tab_search)
    search = guest.session.screens["search"]
    guest.type_keys(search.ids.keyboard, "qt")
    guest.until(lambda: search.total == 1)
    guest.tap(guest.row(search.ids.results, song_id="s-qt").ids.add)
    assert guest.app.toast == "包厢未开房，请联系前台"
    assert guest.app.queue_view.pending == () and guest.app.playback.song is None
    guest.tap(guest.row(search.ids.results, song_id="s-qt").ids.add)  # the next try works
    guest.until(lambda: guest.app.playback.song is not None)


def test_atmosphere_buttons_under_the_controls_play_their_sound(guest, room):
    room.enqueue("s-qlx")
    guest.tap(guest.session.ids.tab_now_playing)
    ids = guest.session.screens["now_playing"].ids
    guest.until(lambda: ids.effect_applause.text == "掌声" and not ids.effect_applause.disabled)
    guest.tap(ids.effect_applause)
    guest.tap(ids.effect_whistle)
    guest.until(lambda: room.intents[-1] == ("play_effect", "whistle"))
    assert ("play_effect", "applause") in room.intents
    assert [ids[f"effect_{n}"].text for n in ("cheers", "laughter")] == ["欢呼", "笑声"]
