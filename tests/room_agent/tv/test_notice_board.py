"""Which notices the TV shows: the most important one still up, and the live ones stacked as
lines (pure, no libVLC)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from room_agent.core.events import (
    EmergencyChanged,
    MessageChanged,
    RoomScreen,
    ScreenChanged,
    ServiceAnswered,
)
from room_agent.core.room_time import TimeLeftChanged, TimeUpChanged, TimeWarning
from room_agent.core.time_left import TimeLeft, TimePhase
from room_agent.tv import settings
from room_agent.tv.notices import SERVICE_TEXT, NoticeBoard, NoticeKind

END = datetime(2026, 11, 24, 22, 0, tzinfo=UTC)


def left(minutes: float, phase: TimePhase = TimePhase.WARNING) -> TimeLeftChanged:
    return TimeLeftChanged(TimeLeft(phase, END, int(minutes * 60)))


def test_no_badge_while_plenty_of_time_is_left_then_one_in_the_last_minutes() -> None:
    board = NoticeBoard(badge_within_minutes=10)
    board.apply(left(45, TimePhase.RUNNING), 0)
    assert board.current(0) is None
    board.apply(left(8), 60)
    badge = board.current(60)
    assert badge is not None and badge.kind is NoticeKind.BADGE and "8" in badge.text


def test_a_pay_at_checkout_room_never_shows_a_badge() -> None:
    board = NoticeBoard()
    board.apply(TimeLeftChanged(TimeLeft(TimePhase.UNLIMITED, None, 0)), 0)
    assert board.current(0) is None


def test_the_warning_shows_in_the_cores_words_over_the_badge_and_ends_with_the_message() -> None:
    board = NoticeBoard()
    board.apply(left(5), 0)
    board.apply(TimeWarning(5, END), 0)
    board.apply(MessageChanged("还剩 5 分钟，如需续钟请按续钟 / 5 min left"), 0.01)
    shown = board.current(1)
    assert shown is not None and shown.kind is NoticeKind.WARNING
    assert shown.text.startswith("还剩 5 分钟，如需续钟")
    board.apply(MessageChanged(""), 30)  # the core takes its message down
    badge = board.current(30)
    assert badge is not None and badge.kind is NoticeKind.BADGE


def test_a_warning_nobody_takes_down_ends_by_itself() -> None:
    board = NoticeBoard(warning_shown_s=20)
    board.apply(TimeWarning(10, END), 100)
    assert board.current(119) is not None
    assert board.current(121) is None


def test_a_desk_message_shows_until_the_core_takes_it_down() -> None:
    board = NoticeBoard()
    board.apply(MessageChanged("您的果盘马上送到 / your fruit is on its way"), 0)
    shown = board.current(500)
    assert shown is not None and shown.kind is NoticeKind.MESSAGE
    board.apply(MessageChanged(""), 501)
    assert board.current(501) is None


def test_a_desk_message_long_after_a_warning_is_a_message() -> None:
    board = NoticeBoard()
    board.apply(TimeWarning(10, END), 0)
    board.apply(MessageChanged("生日快乐 A08!"), 12)
    shown = board.current(12)
    assert shown is not None and shown.kind is NoticeKind.MESSAGE


def test_time_up_shows_until_an_extension() -> None:
    board = NoticeBoard()
    board.apply(left(1), 0)
    board.apply(TimeUpChanged(True, END), 60)
    shown = board.current(60)
    assert shown is not None and shown.kind is NoticeKind.TIME_UP and "到钟" in shown.text
    board.apply(TimeUpChanged(False, END + timedelta(hours=1)), 90)
    board.apply(left(60, TimePhase.RUNNING), 90)
    assert board.current(90) is None


def test_the_emergency_overrides_everything_and_what_was_under_it_comes_back() -> None:
    board = NoticeBoard()
    board.apply(left(3), 0)
    board.apply(MessageChanged("生日快乐"), 0)
    board.apply(EmergencyChanged(True, "紧急疏散 / evacuate"), 1)
    shown = board.current(1)
    assert (
        shown is not None
        and shown.kind is NoticeKind.EMERGENCY
        and shown.text == "紧急疏散 / evacuate"
    )
    board.apply(ScreenChanged(RoomScreen.EMERGENCY, True), 1)
    board.apply(EmergencyChanged(False, ""), 5)
    back = board.current(5)
    assert back is not None and back.text == "生日快乐"
    board.apply(MessageChanged(""), 6)
    badge = board.current(6)
    assert badge is not None and badge.kind is NoticeKind.BADGE  # the emergency kept it


def test_checkout_takes_the_time_notices_down() -> None:
    board = NoticeBoard()
    board.apply(left(2), 0)
    board.apply(TimeUpChanged(True, END), 120)
    board.apply(ScreenChanged(RoomScreen.LOCKED, True), 200)
    assert board.current(200) is None


_events = st.one_of(
    st.builds(lambda m: left(m), st.integers(0, 30)),
    st.builds(lambda m: TimeWarning(m, END), st.sampled_from([10, 5, 1])),
    st.builds(MessageChanged, st.sampled_from(["", "生日快乐", "请到前台"])),
    st.builds(lambda up: TimeUpChanged(up, END), st.booleans()),
    st.builds(EmergencyChanged, st.booleans(), st.sampled_from(["疏散", "fire"])),
    st.builds(lambda s: ScreenChanged(s, s is not RoomScreen.OPEN), st.sampled_from(RoomScreen)),
    st.just(ServiceAnswered("小李", "service")),
)


@given(st.lists(st.tuples(_events, st.floats(0, 60)), max_size=30))
def test_while_an_emergency_is_on_the_tv_shows_nothing_else(steps) -> None:  # type: ignore[no-untyped-def]
    board = NoticeBoard()
    now = 0.0
    emergency: str | None = None
    for event, gap in steps:
        now += gap
        board.apply(event, now)
        if isinstance(event, EmergencyChanged):
            emergency = event.message if event.active else None
        shown = board.current(now)
        on_tv = board.composed(now)
        if emergency is not None:
            assert shown is not None and shown.kind is NoticeKind.EMERGENCY
            assert shown.text == emergency and on_tv == shown  # alone: nothing stacked
        else:
            assert shown is None or shown.kind is not NoticeKind.EMERGENCY
            # every live notice is a line of what the TV shows, the most important on top
            live = board.live(now)
            assert (on_tv is None) == (not live)
            if live and live[0].kind not in (NoticeKind.TIME_UP,):
                assert on_tv is not None and on_tv.text.split("\n") == [n.text for n in live]
                assert on_tv.kind is live[0].kind


def test_a_song_a_phone_picked_names_the_phone_for_a_few_seconds_under_the_time_badge() -> None:
    from room_agent.core.events import SongStarted
    from room_agent.core.queue import QueuedSong

    board = NoticeBoard()
    phone = QueuedSong("e1", "s1", "晴天", "周杰伦", END, added_by="<小王>", guest_id="g1")
    board.apply(SongStarted(phone, 0), 0)
    shown = board.current(1)
    assert shown is not None and shown.text == "<小王> 点唱《晴天》"
    assert board.current(9) is None  # gone by itself
    board.apply(SongStarted(phone, 0), 10)
    board.apply(left(8), 10)  # the time badge takes the corner
    assert "8" in board.current(11).text
    board.apply(SongStarted(QueuedSong("e2", "s2", "后来", "刘若英", END), 0), 12)
    board.apply(left(45, TimePhase.RUNNING), 12)
    assert board.current(12) is None  # the touchscreen's own song: no name


def test_a_badge_a_desk_message_and_the_service_answer_stack_and_each_goes_at_its_time() -> None:
    board = NoticeBoard()
    board.apply(left(8), 0)
    board.apply(MessageChanged("生日快乐 A08"), 1)
    board.apply(ServiceAnswered("小李", "service"), 2)
    shown = board.composed(3)
    assert shown is not None and shown.kind is NoticeKind.MESSAGE  # the top line's look
    assert shown.text.split("\n") == ["生日快乐 A08", SERVICE_TEXT, "剩余 8分 / 8 min"]
    assert shown.until_s is None  # the badge and the message have no end of their own
    gone = 2 + settings.service_answered_shown_s
    assert board.composed(gone + 0.01).text.split("\n") == ["生日快乐 A08", "剩余 8分 / 8 min"]
    board.apply(MessageChanged(""), gone + 1)  # the core takes the message down
    badge = board.composed(gone + 1)
    assert badge is not None and badge.kind is NoticeKind.BADGE and "\n" not in badge.text


def test_stacked_timed_notices_last_until_the_last_one_ends_and_time_up_stands_alone() -> None:
    from room_agent.core.events import SongStarted
    from room_agent.core.queue import QueuedSong

    board = NoticeBoard()
    board.apply(SongStarted(QueuedSong("e1", "s1", "晴天", "周杰伦", END, added_by="小王"), 0), 0)
    board.apply(ServiceAnswered("", "service"), 5)
    shown = board.composed(5)
    assert shown is not None and shown.text == f"{SERVICE_TEXT}\n小王 点唱《晴天》"
    assert shown.until_s == 5 + settings.service_answered_shown_s  # the later of the two ends
    board.apply(TimeUpChanged(True, END), 6)
    alone = board.composed(6)
    assert alone is not None and alone.kind is NoticeKind.TIME_UP and "\n" not in alone.text
    board.apply(ScreenChanged(RoomScreen.CLEANING, True), 7)  # checkout: all of it goes
    assert board.composed(7) is None
