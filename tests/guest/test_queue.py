"""Phones change a real headless agent's queue through the controller: adds with who added
them, removes of one's own, controls, the queue report up, the agent offline."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest

from controller.api.errors import reason_of
from ktv.v1 import guest_pb2 as gpb
from tests.support.core_agents import start_agents, wait_until
from tests.support.guests import guest_md, guest_stub, join_guest, room_url

TIMEOUT_S = 10.0


@pytest.fixture(scope="module")
def room(ctl, desk, tmp_path_factory, guest_library):  # type: ignore[no-untyped-def]
    """One room with a real headless agent (the real core, a recording player)."""
    root = tmp_path_factory.mktemp("guest-queue")
    library = guest_library
    room_id, other = desk.new_room(), desk.new_room()
    agent = start_agents(ctl, library, root / "rooms", [room_id, other])
    try:
        yield room_id, agent, library, other
    finally:
        agent.stop()


def rid() -> str:
    return uuid.uuid4().hex


def view(guests, room_id, md):  # type: ignore[no-untyped-def]
    return guests.GetRoomView(
        gpb.GetRoomViewRequest(room=f"rooms/{room_id}"), metadata=md, timeout=TIMEOUT_S
    )


def refused(call, request, md):  # type: ignore[no-untyped-def]
    with pytest.raises(grpc.RpcError) as caught:
        call(request, metadata=md, timeout=TIMEOUT_S)
    return caught.value.code(), reason_of(caught.value)


def test_three_phones_add_songs_and_the_room_shows_who_added_each(ctl, desk, room):
    room_id, agent, library, _ = room
    desk.open(room_id)
    guests = guest_stub(ctl.channel())
    phones = {name: guest_md(join_guest(ctl, room_id, name)) for name in ("小王", "Amy", "阿杰")}
    assert wait_until(lambda: view(guests, room_id, phones["小王"]).agent_online, 15)
    songs = [library.by_title["晴天"], library.by_title["红豆"], library.by_title["泡沫"]]

    def add(name_song):  # type: ignore[no-untyped-def]
        name, song = name_song
        return guests.QueueSong(
            gpb.QueueSongRequest(room=f"rooms/{room_id}", song_id=song, request_id=rid()),
            metadata=phones[name],
            timeout=TIMEOUT_S,
        )

    with ThreadPoolExecutor(3) as pool:
        added = list(pool.map(add, zip(phones, songs, strict=True)))
    assert all(a.entry.mine and a.entry.entry_id for a in added)
    assert {a.entry.added_by for a in added} == set(phones)

    # The agent's own queue (its control socket): every song, each with its phone's name.
    def agent_has_all():  # type: ignore[no-untyped-def]
        seen = agent.control(room_id, do="view")
        names = [e["added_by"] for e in seen["queue"]]
        return seen if seen["playing_added_by"] and len(names) == 2 else None

    local = wait_until(agent_has_all, 10, 0.02)
    assert local, agent.control(room_id, do="view")
    assert {local["playing_added_by"], *(e["added_by"] for e in local["queue"])} == set(phones)

    # The phones see the same, with their own entries marked.
    def reported():  # type: ignore[no-untyped-def]
        seen = view(guests, room_id, phones["Amy"])
        return seen if seen.HasField("now_playing") and len(seen.queue) == 2 else None

    seen = wait_until(reported, 10, 0.02)
    assert seen and seen.session_open
    assert [e.entry_id for e in seen.queue] == [e["entry_id"] for e in local["queue"]]
    amy = next(a.entry.entry_id for a in added if a.entry.added_by == "Amy")
    assert [e.mine for e in seen.queue] == [e.entry_id == amy for e in seen.queue]
    assert seen.now_playing.song.title in {"晴天", "红豆", "泡沫"}

    # A phone removes only its own songs; the owner can.
    others = next(e for e in seen.queue if e.added_by != "Amy")
    code, reason = refused(
        guests.RemoveQueuedSong,
        gpb.RemoveQueuedSongRequest(
            room=f"rooms/{room_id}", entry_id=others.entry_id, request_id=rid()
        ),
        phones["Amy"],
    )
    assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "NOT_YOUR_SONG")
    owner = phones[others.added_by]
    guests.RemoveQueuedSong(
        gpb.RemoveQueuedSongRequest(
            room=f"rooms/{room_id}", entry_id=others.entry_id, request_id=rid()
        ),
        metadata=owner,
        timeout=TIMEOUT_S,
    )
    assert wait_until(
        lambda: (
            others.entry_id
            not in [e["entry_id"] for e in agent.control(room_id, do="view")["queue"]]
        ),
        10,
        0.02,
    )
    desk.checkout(room_id)


def test_a_retried_add_is_one_song_and_优先_is_the_venues_call(ctl, desk, room):
    room_id, agent, library, _ = room
    desk.open(room_id)
    guests = guest_stub(ctl.channel())
    phone = guest_md(join_guest(ctl, room_id, "retry"))
    assert wait_until(lambda: view(guests, room_id, phone).agent_online, 15)
    request = gpb.QueueSongRequest(
        room=f"rooms/{room_id}", song_id=library.by_title["红豆"], request_id=rid()
    )
    first = guests.QueueSong(request, metadata=phone, timeout=TIMEOUT_S)
    again = guests.QueueSong(request, metadata=phone, timeout=TIMEOUT_S)
    assert again == first
    local = agent.control(room_id, do="view")
    ids = [e["entry_id"] for e in local["queue"]]
    assert ids.count(first.entry.entry_id) + (local["playing"] is not None) >= 1
    assert ids.count(first.entry.entry_id) <= 1
    code, reason = refused(
        guests.QueueSong,
        gpb.QueueSongRequest(
            room=f"rooms/{room_id}", song_id=library.by_title["晴天"], top=True, request_id=rid()
        ),
        phone,
    )
    assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "PHONE_NOT_ALLOWED")
    code, reason = refused(
        guests.QueueSong,
        gpb.QueueSongRequest(room=f"rooms/{room_id}", song_id="no-such-song", request_id=rid()),
        phone,
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "ROOM_REFUSED")
    desk.checkout(room_id)


def test_controls_go_through_the_touchscreens_paths(ctl, desk, room):
    room_id, agent, library, _ = room
    desk.open(room_id)
    guests = guest_stub(ctl.channel())
    phone = guest_md(join_guest(ctl, room_id, "dj"))
    assert wait_until(lambda: view(guests, room_id, phone).agent_online, 15)
    for title in ("晴天", "红豆"):
        guests.QueueSong(
            gpb.QueueSongRequest(
                room=f"rooms/{room_id}", song_id=library.by_title[title], request_id=rid()
            ),
            metadata=phone,
            timeout=TIMEOUT_S,
        )
    before = agent.control(room_id, do="view")
    assert before["playing"] == library.by_title["晴天"]

    def control(kind):  # type: ignore[no-untyped-def]
        guests.ControlRoom(
            gpb.ControlRoomRequest(room=f"rooms/{room_id}", control=kind, request_id=rid()),
            metadata=phone,
            timeout=TIMEOUT_S,
        )

    control(gpb.ROOM_CONTROL_VOLUME_DOWN)
    assert agent.control(room_id, do="view")["volume_percent"] < before["volume_percent"]
    control(gpb.ROOM_CONTROL_SKIP)
    assert agent.control(room_id, do="view")["playing"] == library.by_title["红豆"]
    seen = wait_until(
        lambda: (
            (v := view(guests, room_id, phone)).now_playing.song.song_id == library.by_title["红豆"]
            and v
        ),
        10,
        0.02,
    )
    assert seen and seen.now_playing.added_by == "dj"
    desk.checkout(room_id)


def test_a_phone_add_with_the_agent_offline_is_refused_plainly(ctl, desk):
    room_id = desk.new_room()  # no agent ever connected
    desk.open(room_id)
    guests = guest_stub(ctl.channel())
    phone = guest_md(join_guest(ctl, room_id, "offline"))
    assert not view(guests, room_id, phone).agent_online
    code, reason = refused(
        guests.QueueSong,
        gpb.QueueSongRequest(room=f"rooms/{room_id}", song_id="x", request_id=rid()),
        phone,
    )
    assert (code, reason) == (grpc.StatusCode.UNAVAILABLE, "ROOM_OFFLINE")
    desk.checkout(room_id)


def test_phones_search_the_catalog_like_the_touchscreen(ctl, desk, room):
    room_id, agent, library, _ = room
    desk.open(room_id)
    guests = guest_stub(ctl.channel())
    phone = guest_md(join_guest(ctl, room_id, "search"))

    def search(**fields):  # type: ignore[no-untyped-def]
        return guests.SearchSongs(
            gpb.SearchSongsRequest(room=f"rooms/{room_id}", **fields),
            metadata=phone,
            timeout=TIMEOUT_S,
        )

    found = search(query="zjl")
    touchscreen = agent.control(room_id, do="search", query="zjl")
    assert [s.song_id for s in found.songs] == touchscreen["song_ids"] == [library.by_title["晴天"]]
    assert found.songs[0].title == "晴天" and found.songs[0].artist == "周杰伦"
    assert [s.title for s in search(query="红豆").songs] == ["红豆"]
    first = search(page_size=2)
    assert len(first.songs) == 2 and first.next_page_token and first.total == 3
    rest = search(page_size=2, page_token=first.next_page_token)
    assert len(rest.songs) == 1 and not rest.next_page_token
    assert {s.song_id for s in [*first.songs, *rest.songs]} == set(library.by_title.values())
    code, reason = refused(
        guests.SearchSongs,
        gpb.SearchSongsRequest(
            room=f"rooms/{room_id}", query="x", page_token=first.next_page_token
        ),
        phone,
    )
    assert reason == "BAD_PAGE_TOKEN"
    code, reason = refused(
        guests.SearchSongs, gpb.SearchSongsRequest(room=f"rooms/{room_id}", query="z" * 65), phone
    )
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    desk.checkout(room_id)


def test_a_phone_flooding_adds_is_throttled_and_the_next_room_does_not_notice(ctl, desk, room):
    room_id, _agent, library, other = room
    desk.open(room_id)
    desk.open(other)
    guests = guest_stub(ctl.channel())
    flooder = guest_md(join_guest(ctl, room_id, "flood"))
    neighbour = guest_md(join_guest(ctl, other, "next door"))
    assert wait_until(lambda: view(guests, other, neighbour).agent_online, 15)
    song = library.by_title["红豆"]

    def add(md, room_to):  # type: ignore[no-untyped-def]
        try:
            guests.QueueSong(
                gpb.QueueSongRequest(room=f"rooms/{room_to}", song_id=song, request_id=rid()),
                metadata=md,
                timeout=TIMEOUT_S,
            )
            return "ok"
        except grpc.RpcError as error:
            return reason_of(error)

    with ThreadPoolExecutor(4) as pool:
        flood = pool.map(lambda _: add(flooder, room_id), range(1000))
        neighbour_adds = [add(neighbour, other) for _ in range(5)]  # meanwhile, next door
        outcomes = list(flood)
    accepted = outcomes.count("ok")
    assert outcomes.count("RATE_LIMITED") + accepted == 1000, set(outcomes)
    # the venue's default pace: a burst of 10, then 30 a minute (the flood lasts seconds)
    assert 10 <= accepted <= 15, accepted
    assert neighbour_adds == ["ok"] * 5
    desk.checkout(room_id)
    desk.checkout(other)


def test_the_room_shows_the_sessions_qr_url_and_a_revoked_code_is_replaced_there(ctl, desk, room):
    room_id, agent, _library, _ = room
    desk.open(room_id)
    url = room_url(ctl, room_id)
    assert wait_until(lambda: agent.control(room_id, do="view")["guest_url"] == url, 10, 0.02)
    revoked = guest_stub(ctl.channel()).RevokeGuestCode(
        gpb.RevokeGuestCodeRequest(room=f"rooms/{room_id}", reason="test", request_id=rid()),
        metadata=ctl.admin_md,
        timeout=TIMEOUT_S,
    )
    assert revoked.url != url
    assert wait_until(
        lambda: agent.control(room_id, do="view")["guest_url"] == revoked.url, 10, 0.02
    )
    desk.checkout(room_id)
    assert wait_until(lambda: agent.control(room_id, do="view")["guest_url"] == "", 10, 0.02)
