"""The heard clock (pure): the origin from the earliest-seen libVLC changes, not from when a
caller happened to look."""

from __future__ import annotations

from room_agent.player.heard_clock import HeardClock


def _feed(clock: HeardClock, origin_s: float, polls_s: list[float], step_ms: int = 250) -> None:
    """libVLC's time moves every ``step_ms`` from ``origin_s``; the caller looks at each poll."""
    for now in polls_s:
        value = int((now - origin_s) * 1000) // step_ms * step_ms
        clock.observe(value, now)


def test_a_slow_poller_still_gets_the_position_heard_now() -> None:
    clock = HeardClock()
    clock.reset(0)
    clock.run(10.0)
    polls = [10.037 + 0.09 * k for k in range(44)]  # every 90 ms, off libVLC's 250 ms steps
    _feed(clock, 10.0, polls)
    # anchored where a change was first seen, the position ran up to 90 ms late; the origin
    # is as good as the best recent poll (one of them lands a few ms after a change)
    now = polls[-1] + 0.05
    assert abs(clock.position_ms(now) - (now - 10.0) * 1000) <= 15


def test_a_seek_or_stall_restarts_the_origin_and_a_pause_holds() -> None:
    clock = HeardClock()
    clock.reset(0)
    clock.run(0.0)
    _feed(clock, 0.0, [0.01 * k for k in range(1, 300)])  # 3 s, polled every 10 ms
    assert abs(clock.position_ms(3.0) - 3000) <= 12
    # the clock jumps back 2 s (a seek nobody announced): followed once values say so
    _feed(clock, 2.0, [3.0 + 0.01 * k for k in range(1, 100)])
    assert abs(clock.position_ms(4.0) - 2000) <= 12
    clock.hold(4.0)
    assert clock.position_ms(9.0) == clock.position_ms(4.0)
    clock.run(9.0)
    assert clock.position_ms(9.05) >= clock.position_ms(4.0)


def test_a_stalled_input_never_runs_far_past_its_last_value() -> None:
    clock = HeardClock(max_ahead_ms=400)
    clock.reset(0)
    clock.run(0.0)
    _feed(clock, 0.0, [0.01 * k for k in range(1, 101)])  # 1 s, then libVLC stops moving
    assert clock.position_ms(5.0) <= 1000 + 400


def test_the_lag_heard_comes_from_the_song_container_through_pulseaudio_only() -> None:
    from room_agent.player import settings
    from room_agent.player.config import PlayerConfig
    from room_agent.player.output import AudioOutput, OutputKind

    pulse = PlayerConfig(audio=AudioOutput(OutputKind.PULSE))
    lag = settings.heard_lag_pulse_ms
    assert pulse.heard_lag("/nas/甜蜜蜜 v1.2.MP3") == lag["mp3"]
    assert pulse.heard_lag("/cache/s1/song.vob.mkv") == lag["vob"]  # the cache's remux
    assert pulse.heard_lag("/cache/s2/song.mp4.mkv") == lag["mkv"]
    assert PlayerConfig().heard_lag("/nas/a.ogg") == 0.0  # dummy/amem: the clock itself
    assert PlayerConfig(heard_lag_ms=12.0).heard_lag("/nas/a.ogg") == 12.0
    clock = HeardClock(lag_ms=40.0)
    clock.reset(0)
    clock.run(0.0)
    _feed(clock, 0.0, [0.01 * k for k in range(1, 200)])
    assert abs(clock.position_ms(2.0) - 1960) <= 12


def test_ogg_s_one_second_steps_do_not_pin_the_position_to_the_cap() -> None:
    # libVLC's Ogg demuxer dates audio by page: its time moves ~every 1 s, not 250 ms. The
    # position between two values must still be the heard one (it was held at last + 400 ms
    # for 600 ms of every second), and a lag must move it.
    clock = HeardClock(max_ahead_ms=400, lag_ms=30)
    clock.reset(0)
    clock.run(0.0)
    polls = [0.013 + 0.1 * k for k in range(100)]  # the player's status() every 100 ms
    errors = []
    for now in polls:
        clock.observe(int(now * 1000) // 980 * 980, now)
        if now > 5.5:  # a few values seen, one of them soon after it changed
            errors.append(clock.position_ms(now) - (now * 1000 - 30))
    assert max(abs(e) for e in errors) <= 15, errors
    # a stall is still caught: no further than 1.6 steps past the last value
    assert clock.position_ms(30.0) <= 9800 + 1.6 * 980
