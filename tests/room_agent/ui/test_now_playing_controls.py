"""Now playing: every control one tap away, disabled with a reason where the song or the
build cannot do it."""

from __future__ import annotations

from room_agent.ui.port import LyricsFrame


def test_song_without_vocal_mode_disables_the_vocal_button_and_says_why(guest, room):
    room.enqueue("s-tmm")  # 甜蜜蜜: one mix only
    guest.tap(guest.session.ids.tab_now_playing)
    now = guest.session.screens["now_playing"]
    guest.until(lambda: now.ids.vocal.disabled)
    assert now.ids.vocal_reason.text == "本歌曲无原伴唱切换"
    assert now.ids.vocal_reason.opacity == 1
    assert guest.session.ids.bottom_bar.ids.vocal.disabled
    guest.tap(now.ids.vocal)
    assert ("toggle_vocal", None) not in room.intents
    guest.shot("no-vocal-mode")


def test_key_up_and_down_change_the_key(guest, room):
    room.enqueue("s-qlx")
    guest.tap(guest.session.ids.tab_now_playing)
    now = guest.session.screens["now_playing"]
    guest.tap(now.ids.key_up)
    guest.tap(now.ids.key_up)
    guest.until(lambda: now.ids.key_value.text == "+2")
    guest.tap(now.ids.key_down)
    guest.until(lambda: now.ids.key_value.text == "+1")


def test_key_buttons_are_disabled_where_the_player_cannot_change_key(guest, room):
    room.key_supported = False
    room.enqueue("s-qlx")
    guest.tap(guest.session.ids.tab_now_playing)
    now = guest.session.screens["now_playing"]
    guest.until(lambda: now.ids.key_up.disabled)
    assert now.ids.key_value.text == "本机不支持变调"


def test_volume_steps_respect_the_venue_cap_and_mute_toggles(guest, room):
    room.set_room(volume_cap_percent=60)
    room.enqueue("s-qlx")
    bar = guest.session.ids.bottom_bar.ids
    for _ in range(4):
        guest.tap(bar.volume_up)
    guest.until(lambda: guest.app.playback.volume_percent == 60)
    guest.tap(bar.volume_down)
    guest.until(lambda: guest.app.playback.volume_percent == 55)
    guest.tap(bar.mute)
    guest.until(lambda: guest.app.playback.muted)
    assert bar.mute.text == "取消静音"
    guest.tap(bar.mute)
    guest.until(lambda: not guest.app.playback.muted)


def test_replay_restarts_the_song(guest, room):
    room.enqueue("s-qlx")
    room.advance(30_000)
    guest.tap(guest.session.ids.tab_now_playing)
    guest.tap(guest.session.screens["now_playing"].ids.replay)
    guest.until(lambda: guest.app.playback.position_ms == 0)
    assert guest.session.screens["now_playing"].ids.time.text == "0:00 / 4:00"


def test_nothing_playing_says_so_and_disables_song_controls(guest):
    guest.tap(guest.session.ids.tab_now_playing)
    now = guest.session.screens["now_playing"]
    assert now.ids.title.text == "暂无播放，请点歌"
    assert now.ids.replay.disabled and now.ids.pause.disabled and now.ids.vocal.disabled


def test_the_lyric_clock_runs_at_display_rate_only_while_the_screen_is_shown(guest, room):
    room.enqueue("s-qlx")
    now = guest.session.screens["now_playing"]
    guest.tap(guest.session.ids.tab_now_playing)
    before = now.frames_drawn
    guest.pump(10)
    assert now.frames_drawn >= before + 10
    guest.tap(guest.session.ids.tab_home)
    stopped = now.frames_drawn
    guest.pump(10)
    assert now.frames_drawn == stopped


def test_a_song_without_lyrics_says_so(guest, room):
    room.enqueue("s-qt")  # no lyrics known
    guest.tap(guest.session.ids.tab_now_playing)
    now = guest.session.screens["now_playing"]
    guest.until(lambda: now.line == "" and room.lyrics() == LyricsFrame(position_ms=0))
    guest.shot("no-lyrics")


def test_the_karaoke_line_stays_centred_when_the_window_changes_size(guest, room):
    from kivy.core.window import Window

    room.enqueue("s-qlx")
    room.advance(2000)
    guest.tap(guest.session.ids.tab_now_playing)
    karaoke = guest.session.screens["now_playing"].ids.karaoke
    for size in ((1024, 600), (800, 480)):
        Window.size = size
        guest.pump(6)
        (x, y), (w, h) = karaoke.drawn_box
        assert abs((y + h / 2) - (karaoke.y + karaoke.height / 2)) < 1
        assert abs((x + w / 2) - (karaoke.x + karaoke.width / 2)) < 1
