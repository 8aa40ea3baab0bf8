"""The pure model: time left, warnings once each, time up, extension re-arms the warnings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ktv.errors import InvalidArgument
from room_agent.core.time_left import (
    PrepaidTime,
    TimeEvent,
    TimePhase,
    TimePolicy,
    TimeSignal,
)

T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def signals_over(prepaid: PrepaidTime, start_min: float, end_min: float) -> list[tuple]:
    """Poll every 10 s from start to end; (minute, signal, mark) for each signal."""
    out = []
    t = start_min
    while t <= end_min + 1e-9:
        for e in prepaid.poll(at(t)):
            out.append((round(t, 2), e.signal, e.minutes))
        t += 1 / 6
    return out


def test_a_one_hour_room_warns_at_10_and_5_minutes_then_time_is_up_once() -> None:
    prepaid = PrepaidTime(TimePolicy())
    prepaid.set_end(at(60), T0)
    got = signals_over(prepaid, 0, 70)
    assert [(s, m) for _, s, m in got] == [
        (TimeSignal.WARNING, 10),
        (TimeSignal.WARNING, 5),
        (TimeSignal.TIME_UP, 0),
    ]
    assert [round(t) for t, _, _ in got] == [50, 55, 60]


def test_the_badge_counts_minutes_up_and_says_time_up_at_the_end() -> None:
    prepaid = PrepaidTime(TimePolicy())
    prepaid.set_end(at(90), T0)
    assert prepaid.at(T0).badge_text == "剩余 1:30"
    assert prepaid.at(T0).phase is TimePhase.RUNNING
    left = prepaid.at(at(89) + timedelta(seconds=1))
    assert left.minutes_left == 1 and left.seconds_left == 59
    assert prepaid.at(at(81)).phase is TimePhase.WARNING
    prepaid.poll(at(90))
    assert prepaid.at(at(90)).phase is TimePhase.TIME_UP
    assert "到钟" in prepaid.at(at(90)).badge_text


def test_time_is_not_up_a_moment_before_the_end() -> None:
    prepaid = PrepaidTime(TimePolicy())
    prepaid.set_end(at(60), T0)
    signals_over(prepaid, 0, 59.9)
    assert prepaid.poll(at(60) - timedelta(milliseconds=1)) == []
    assert prepaid.poll(at(60)) == [TimeEvent(TimeSignal.TIME_UP)]


def test_a_room_opened_with_three_minutes_left_gets_only_the_five_minute_warning() -> None:
    prepaid = PrepaidTime(TimePolicy())
    events = prepaid.set_end(at(3), T0)
    assert events == [TimeEvent(TimeSignal.WARNING, 5)]
    assert signals_over(prepaid, 0, 2.9) == []


def test_an_extension_after_time_up_lifts_it_and_rearms_the_warnings() -> None:
    prepaid = PrepaidTime(TimePolicy())
    prepaid.set_end(at(60), T0)
    signals_over(prepaid, 0, 61)
    assert prepaid.is_up
    events = prepaid.set_end(at(121), at(61))
    assert events == [TimeEvent(TimeSignal.EXTENDED)] and not prepaid.is_up
    later = signals_over(prepaid, 61, 122)
    assert [(s, m) for _, s, m in later] == [
        (TimeSignal.WARNING, 10),
        (TimeSignal.WARNING, 5),
        (TimeSignal.TIME_UP, 0),
    ]


def test_the_same_end_delivered_twice_changes_nothing() -> None:
    prepaid = PrepaidTime(TimePolicy())
    prepaid.set_end(at(60), T0)
    prepaid.poll(at(60))
    assert prepaid.set_end(at(60), at(60)) == [] and prepaid.is_up


def test_an_end_that_has_already_passed_does_not_stop_the_room_twice() -> None:
    prepaid = PrepaidTime(TimePolicy())
    prepaid.set_end(at(60), T0)
    assert prepaid.poll(at(61)) == [TimeEvent(TimeSignal.TIME_UP)]
    assert prepaid.set_end(at(60.5), at(61)) == []
    assert prepaid.is_up


def test_a_venue_grace_keeps_singing_past_the_end_then_stops() -> None:
    prepaid = PrepaidTime(TimePolicy(grace_s=120))
    prepaid.set_end(at(60), T0)
    signals_over(prepaid, 0, 59.9)
    assert prepaid.poll(at(61)) == []
    assert prepaid.at(at(61)).phase is TimePhase.GRACE
    assert prepaid.poll(at(62)) == [TimeEvent(TimeSignal.TIME_UP)]


def test_a_restarted_agent_takes_its_saved_end_silently() -> None:
    running = PrepaidTime(TimePolicy())
    running.restore(at(60), at(52))
    assert running.poll(at(52)) == []  # the 10-minute warning was before the restart
    assert running.poll(at(55)) == [TimeEvent(TimeSignal.WARNING, 5)]
    ran_out = PrepaidTime(TimePolicy())
    ran_out.restore(at(60), at(70))
    assert ran_out.is_up and ran_out.poll(at(70)) == []


def test_pay_at_checkout_has_no_badge_and_never_ends() -> None:
    prepaid = PrepaidTime(TimePolicy())
    assert prepaid.poll(at(600)) == []
    assert prepaid.at(at(600)).phase is TimePhase.UNLIMITED
    assert prepaid.at(at(600)).badge_text == ""


@pytest.mark.parametrize("policy", [dict(warn_at_minutes=(0,)), dict(grace_s=-1), dict(fade_ms=-5)])
def test_a_venue_policy_with_negative_or_zero_values_is_refused(policy: dict) -> None:
    with pytest.raises(InvalidArgument):
        TimePolicy(**policy)


def test_warning_marks_are_taken_in_any_order() -> None:
    assert TimePolicy(warn_at_minutes=(5, 15, 10)).warn_at_minutes == (15, 10, 5)
