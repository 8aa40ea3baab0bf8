"""Chinese by default, English at runtime; the offline badge; searching and queueing keep
working with the controller unreachable."""

from __future__ import annotations

from room_agent.ui import i18n


def test_chinese_by_default_and_english_at_one_tap(guest):
    ids = guest.session.ids
    assert ids.tab_search.text == "点歌"
    guest.tap(ids.language_button)
    guest.until(lambda: ids.tab_search.text == "Search")
    assert ids.bottom_bar.ids.skip.text == "Skip"
    assert guest.session.screens["search"].ids.keyboard.keys["clear"].text == "Clear"
    guest.tap(ids.tab_now_playing)
    guest.shot("english-now-playing")
    guest.tap(ids.language_button)
    guest.until(lambda: ids.tab_search.text == "点歌")


def test_every_text_has_both_languages():
    for key in i18n.all_keys():
        zh, en = i18n.text(key, i18n.Language.ZH), i18n.text(key, i18n.Language.EN)
        assert zh and en and zh != key
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in en) or key == "language_toggle"


def test_offline_badge_shows_and_search_and_queue_keep_working(guest, room):
    badge = guest.session.ids.offline_badge
    assert badge.opacity == 0
    room.set_room(online=False)
    guest.until(lambda: badge.opacity == 1)
    assert badge.text == "离线"
    guest.tap(guest.session.ids.tab_search)
    search = guest.session.screens["search"]
    guest.type_keys(search.ids.keyboard, "hktk")
    guest.until(lambda: search.total == 1)
    guest.tap(guest.row(search.ids.results, song_id="s-hk").ids.add)
    guest.until(lambda: guest.app.playback.song is not None)
    guest.shot("offline")
