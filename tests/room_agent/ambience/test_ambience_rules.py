"""The ambience rules in the room's core: when 公播 plays and gives way, how atmosphere
sounds are refused (room closed, emergency, too fast). The port is a recording double here;
tests/room_agent/player/test_ambience_heard.py plays the same through libVLC and PulseAudio."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ktv.errors import FailedPrecondition, InvalidArgument
from room_agent.core.ambience import AmbienceSettings, EffectLimiter
from room_agent.core.events import AmbienceChanged, EffectPlayed
from room_agent.core.instruments import ManualClock, RecordingPlayer, RecordingSink, SongShelf
from room_agent.core.ports import Emergency, SessionClosed, SessionOpened
from room_agent.core.room import RoomCore
from tests.room_agent.core.conftest import SONGS


class RecordingAmbience:
    def __init__(self, effects: tuple[str, ...] = ("applause", "whistle", "cheers")) -> None:
        self.names = effects
        self.calls: list[tuple[str, object]] = []
        self.background = True

    def effect_names(self) -> tuple[str, ...]:
        return self.names

    def play_effect(self, name: str) -> None:
        self.calls.append(("effect", name))

    def stop_effects(self) -> None:
        self.calls.append(("stop_effects", None))

    def has_background(self) -> bool:
        return self.background

    def start_background(self, volume_percent: int) -> None:
        self.calls.append(("bg_start", volume_percent))

    def stop_background(self) -> None:
        self.calls.append(("bg_stop", None))


def make(settings: AmbienceSettings | None = None, port: RecordingAmbience | None = None):
    clock = ManualClock()
    player = RecordingPlayer(clock)
    port = port or RecordingAmbience()
    core = RoomCore(
        player,
        RecordingSink(),
        SongShelf(SONGS),
        monotonic=clock,
        utcnow=clock.utcnow,
        ambience=port,
        ambience_settings=settings or AmbienceSettings(background_volume_percent=25),
    )
    seen: list = []
    core.subscribe(seen.append)
    core.start(run_loop=False)
    return core, port, clock, player, seen


def bg_calls(port: RecordingAmbience) -> list[str]:
    return [c for c, _ in port.calls if c.startswith("bg_")]


def test_background_plays_only_in_an_open_room_with_nothing_queued() -> None:
    core, port, _clock, player, seen = make()
    core.tick()
    assert bg_calls(port) == []  # no session: the room is not open
    core.handle(SessionOpened("sessions/1", datetime.now(UTC)))
    assert port.calls[-1] == ("bg_start", 25)  # at the venue's level
    assert core.ambience.background_on
    core.add_song("s-qingtian")  # the guest's first song takes over before it starts
    assert bg_calls(port) == ["bg_start", "bg_stop"]
    assert player.calls[-1].name == "play"
    core.tick()
    assert bg_calls(port) == ["bg_start", "bg_stop"]  # a song plays: 公播 stays off
    core.skip()  # nothing left
    core.tick()
    assert bg_calls(port) == ["bg_start", "bg_stop", "bg_start"]
    core.handle(SessionClosed("sessions/1"))
    assert bg_calls(port)[-1] == "bg_stop"
    assert [e.background_on for e in seen if isinstance(e, AmbienceChanged)] == [
        True,
        False,
        True,
        False,
    ]


def test_emergency_silences_everything_and_background_returns_after() -> None:
    core, port, *_ = make()
    core.handle(SessionOpened("sessions/1", datetime.now(UTC)))
    core.play_effect("applause")
    core.handle(Emergency(True, "疏散"))
    assert ("stop_effects", None) in port.calls
    assert bg_calls(port) == ["bg_start", "bg_stop"]
    with pytest.raises(FailedPrecondition) as refused:
        core.play_effect("whistle")
    assert refused.value.reason == "EMERGENCY"
    core.tick()
    assert bg_calls(port) == ["bg_start", "bg_stop"]  # not during the emergency
    core.handle(Emergency(False, ""))
    assert bg_calls(port) == ["bg_start", "bg_stop", "bg_start"]


def test_no_background_configured_means_silence_not_an_error() -> None:
    port = RecordingAmbience()
    port.background = False
    core, port, *_ = make(port=port)
    core.handle(SessionOpened("sessions/1", datetime.now(UTC)))
    core.tick()
    assert bg_calls(port) == []


def test_effects_are_rate_limited_with_a_clear_refusal() -> None:
    settings = AmbienceSettings(effect_min_gap_s=1.0, effect_burst=3, effect_window_s=10.0)
    core, port, clock, _player, seen = make(settings)
    core.handle(SessionOpened("sessions/1", datetime.now(UTC)))
    core.play_effect("applause")
    with pytest.raises(FailedPrecondition) as too_soon:
        core.play_effect("applause")
    assert too_soon.value.reason == "EFFECT_RATE_LIMITED"
    assert "1.0 s" in too_soon.value.message
    clock.advance(1.0)
    core.play_effect("whistle")
    clock.advance(1.0)
    core.play_effect("cheers")
    clock.advance(1.0)
    with pytest.raises(FailedPrecondition):  # 3 in 10 s: the burst is spent
        core.play_effect("applause")
    clock.advance(7.0)  # the first left the window
    core.play_effect("applause")
    played = [c for c in port.calls if c[0] == "effect"]
    assert [n for _, n in played] == ["applause", "whistle", "cheers", "applause"]
    assert [e.effect for e in seen if isinstance(e, EffectPlayed)] == [n for _, n in played]


def test_unknown_effect_and_closed_room_are_refused() -> None:
    core, *_ = make()
    with pytest.raises(FailedPrecondition):
        core.play_effect("applause")  # no session
    core.handle(SessionOpened("sessions/1", datetime.now(UTC)))
    with pytest.raises(InvalidArgument) as unknown:
        core.play_effect("<b>boo</b>" * 20)
    assert unknown.value.reason == "UNKNOWN_EFFECT"
    assert len(unknown.value.message) < 120
    assert core.effects() == ("applause", "cheers", "whistle")  # the buttons' order


def test_limiter_edges() -> None:
    limiter = EffectLimiter(0.5, 2, 4.0)
    assert limiter.wait_s(0.0) == 0
    limiter.take(0.0)
    assert limiter.wait_s(0.2) == pytest.approx(0.3)
    limiter.take(0.5)
    assert limiter.wait_s(1.0) == pytest.approx(3.0)  # burst of 2 spent until t=4
    assert limiter.wait_s(4.0) == 0
    with pytest.raises(ValueError):
        EffectLimiter(-1, 1, 1)
