"""Device health rules and trends, pure: the dead PIR and the stuck door fire and clear, and
rising temperature and player errors are seen (issue 24)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from controller.devices.health import Badge, Interval, Report, by_risk, room_health

T0 = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def evenings(days: int) -> list[Interval]:
    """A four-hour session every evening (12:00-16:00 UTC = 20:00-24:00 in Shanghai)."""
    return [Interval(at(24 * d + 12), at(24 * d + 16)) for d in range(days)]


def reports(days: int, *, motion_in_sessions: bool, every_h: float = 1.0) -> list[Report]:
    out = []
    motion = 0
    steps = int(days * 24 / every_h)
    for i in range(steps + 1):
        t = at(i * every_h)
        in_session = 12 <= (i * every_h) % 24 < 16
        if motion_in_sessions and in_session:
            motion += 3
        out.append(Report(t, temperature_c=55.0, disk_free_bytes=8 * 1024**3, motion_edges=motion))
    return out


def kinds(health) -> list[str]:  # type: ignore[no-untyped-def]
    return [a.kind for a in health.alerts]


def test_a_pir_that_never_triggers_during_sessions_for_days_is_dead() -> None:
    health = room_health("A08", reports(3, motion_in_sessions=False), evenings(3), None, at(72))
    assert kinds(health) == ["DEAD_PIR"] and health.badge is Badge.SERVICE
    assert "12 h of sessions over 3 days" in health.alerts[0].message


def test_one_quiet_evening_is_not_a_dead_pir_and_a_trigger_clears_it() -> None:
    one_day = room_health("A08", reports(1, motion_in_sessions=False), evenings(1), None, at(24))
    assert kinds(one_day) == [] and one_day.badge is Badge.OK
    quiet = reports(3, motion_in_sessions=False)
    triggered = [*quiet[:-1], Report(quiet[-1].at, temperature_c=55.0, motion_edges=1)]
    window = [Interval(at(12), at(16)), Interval(at(36), at(40)), Interval(at(70), at(72))]
    assert "DEAD_PIR" not in kinds(room_health("A08", triggered, window, None, at(72)))


def test_a_door_that_never_closes_is_a_stuck_reed_until_it_closes() -> None:
    rs = reports(2, motion_in_sessions=True)
    stuck = room_health("A08", rs, evenings(2), at(20), at(48))
    assert "STUCK_DOOR" in kinds(stuck) and stuck.badge is Badge.SERVICE
    assert "STUCK_DOOR" not in kinds(room_health("A08", rs, evenings(2), None, at(48)))
    assert "STUCK_DOOR" not in kinds(room_health("A08", rs, evenings(2), at(40), at(48)))


def test_rising_temperature_and_player_errors_are_trends_to_watch() -> None:
    rs = []
    for day in range(4):
        for hour in range(0, 24, 6):
            rs.append(
                Report(
                    at(24 * day + hour),
                    temperature_c=55.0 + 2.5 * day,
                    player_errors=[0, 1, 2, 12][day] + hour // 6 * 0,
                    motion_edges=0,
                )
            )
    health = room_health("A08", rs, [], None, at(96))
    assert kinds(health) == ["TEMPERATURE_RISING", "PLAYER_ERRORS_RISING"]
    assert health.badge is Badge.WATCH


def test_hot_throttled_and_a_full_disk_need_service_and_rank_first() -> None:
    sick = room_health(
        "B02",
        [Report(at(0)), Report(at(1), temperature_c=82.0, throttled_flags=0x50005,
                              disk_free_bytes=100 * 1024**2)],
        [], None, at(1),
    )  # fmt: skip
    assert kinds(sick) == ["HOT", "THROTTLED", "DISK_LOW"]
    fine = room_health("A01", reports(1, motion_in_sessions=True), evenings(1), None, at(24))
    never = room_health("C01", [], [], None, at(24))
    assert never.badge is Badge.UNKNOWN
    assert [h.room_id for h in by_risk([never, fine, sick])] == ["B02", "A01", "C01"]


def test_a_restarted_agent_counts_from_zero_again() -> None:
    rs = [
        Report(at(0), player_errors=40, disk_written_bytes=10**9),
        Report(at(12), player_errors=2, disk_written_bytes=10**8),  # restarted
        Report(at(24), player_errors=3, disk_written_bytes=2 * 10**8),
    ]
    health = room_health("A08", rs, [], None, at(24))
    assert health.player_errors_per_day == 3
    assert health.disk_written_per_day == 2 * 10**8
