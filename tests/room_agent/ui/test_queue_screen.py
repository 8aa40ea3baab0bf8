"""已点 and 已唱: move to top, move up, remove, sing again."""

from __future__ import annotations


def _titles(guest):
    return [row["title"] for row in guest.session.screens["queue"].ids.entries.data]


def test_queue_entries_move_to_top_move_up_and_get_removed(guest, room):
    for song_id in ("s-qlx", "s-qt", "s-dxz", "s-hhb"):  # 七里香 plays, three wait
        room.enqueue(song_id)
    guest.tap(guest.session.ids.tab_queue)
    queue = guest.session.screens["queue"].ids.entries
    guest.until(lambda: _titles(guest) == ["晴天", "稻香", "后来"])
    guest.tap(guest.row(queue, title="后来").ids.move_top)
    guest.until(lambda: _titles(guest) == ["后来", "晴天", "稻香"])
    guest.tap(guest.row(queue, title="稻香").ids.move_up)
    guest.until(lambda: _titles(guest) == ["后来", "稻香", "晴天"])
    guest.tap(guest.row(queue, title="晴天").ids.remove_entry)
    guest.until(lambda: _titles(guest) == ["后来", "稻香"])
    guest.shot("pending")


def test_the_first_entry_cannot_move_further_up(guest, room):
    room.enqueue("s-qlx")
    room.enqueue("s-qt")
    guest.tap(guest.session.ids.tab_queue)
    first = guest.row(guest.session.screens["queue"].ids.entries, title="晴天")
    assert first.ids.move_top.disabled and first.ids.move_up.disabled


def test_a_sung_song_can_be_sung_again(guest, room):
    room.enqueue("s-qlx")
    room.enqueue("s-qt")
    room.skip()  # 七里香 sung, 晴天 playing
    guest.tap(guest.session.ids.tab_queue)
    guest.tap(guest.session.screens["queue"].ids.tab_sung)
    sung = guest.session.screens["queue"].ids.entries
    guest.until(lambda: _titles(guest) == ["晴天", "七里香"])
    guest.shot("sung")
    guest.tap(guest.row(sung, title="七里香").ids.sing_again)
    guest.until(lambda: [e.song.title for e in guest.app.queue_view.pending] == ["七里香"])


def test_empty_queue_says_so(guest):
    guest.tap(guest.session.ids.tab_queue)
    assert guest.app.queue_view.pending == ()
    guest.shot("empty")
