"""The room's outputs on gpiozero's MockFactory pins, driven by the real RoomCore: each state
change drives the right pins (read back from the pins' own recorded states), the idle
power-off, the desk's force and the emergency override (issue 24). The core runs on an
injected clock; only gpiozero's pin history uses its own."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from gpiozero.pins.mock import MockFactory, MockPWMPin

from ktv.errors import FailedPrecondition
from media_index.model import Song
from room_agent.core.instruments import ManualClock, RecordingPlayer, RecordingSink, SongShelf
from room_agent.core.ports import (
    Emergency,
    PowerMode,
    PowerSwitched,
    RoomState,
    RoomStateChanged,
    SessionClosed,
    SessionOpened,
    SetPower,
)
from room_agent.core.room import RoomCore
from room_agent.core.scenes import OutputKind, OutputRole, OutputSpec, Scene
from room_agent.devices.outputs import RoomOutputs

IDLE_OFF_S = 600.0
SPECS = (
    OutputSpec("lights", OutputKind.PWM, OutputRole.LIGHTS, (12,), watts=60),
    OutputSpec("accent", OutputKind.RGB, OutputRole.ACCENT, (5, 6, 13), watts=30),
    OutputSpec("door_lamp", OutputKind.LED, OutputRole.DOOR_LAMP, (26,), watts=5),
    OutputSpec("tv", OutputKind.RELAY, OutputRole.POWER, (22,), active_high=False, watts=150),
    OutputSpec("amp", OutputKind.RELAY, OutputRole.SOUND, (23,), active_high=False, watts=300),
    OutputSpec("ac", OutputKind.RELAY, OutputRole.POWER, (24,), active_high=False, watts=1500),
)
SONG = Song("s-party", "派对之歌", ("DJ",), "/media/party.mp4", duration_ms=200_000,
            tags=("bpm:120",))  # fmt: skip
OPEN = SessionOpened("sessions/1", datetime(2026, 12, 7, 20, 0, tzinfo=UTC))


@dataclass
class OutputRoom:
    core: RoomCore
    sink: RecordingSink
    clock: ManualClock
    factory: MockFactory
    outputs: RoomOutputs

    def level(self, pin: int) -> float:
        return float(self.factory.pin(pin).state)

    def relay_on(self, pin: int) -> bool:  # the relays are active-low
        return not self.factory.pin(pin).state

    def switches(self) -> list[PowerSwitched]:
        return self.sink.events(PowerSwitched)

    def states(self, pin: int) -> list[float]:
        history = self.factory.pin(pin).states  # gpiozero stamps each change (s since the last)
        assert all(s.timestamp >= 0 for s in history)
        return [float(s.state) for s in history]

    def open_session(self) -> None:
        self.core.handle(OPEN)
        self.core.handle(RoomStateChanged(RoomState.IN_USE))

    def checkout(self) -> None:
        self.core.handle(SessionClosed("sessions/1"))
        self.core.handle(RoomStateChanged(RoomState.CLEANING))


@pytest.fixture
def room() -> Iterator[OutputRoom]:
    factory = MockFactory(pin_class=MockPWMPin)
    outputs = RoomOutputs(SPECS, pin_factory=factory)
    clock = ManualClock()
    sink = RecordingSink()
    core = RoomCore(
        RecordingPlayer(clock),
        sink,
        SongShelf([SONG]),
        monotonic=clock,
        utcnow=clock.utcnow,
        outputs=outputs,
        idle_off_after_s=IDLE_OFF_S,
    )
    core.start(run_loop=False)
    yield OutputRoom(core, sink, clock, factory, outputs)
    core.close()
    outputs.close()
    factory.reset()


def test_a_free_room_stands_by_with_welcome_lights_and_the_power_off(room: OutputRoom) -> None:
    assert room.level(12) == pytest.approx(0.8)
    assert not any(room.relay_on(p) for p in (22, 23, 24))
    assert room.level(26) == 0  # door lamp: free
    assert [(e.on, e.scene, e.reason) for e in room.switches()] == [(False, "welcome", "standby")]


def test_a_session_powers_the_room_on_and_checkout_turns_it_to_cleaning(room: OutputRoom) -> None:
    room.open_session()
    assert all(room.relay_on(p) for p in (22, 23, 24))
    assert room.level(12) == pytest.approx(0.8)  # 迎宾 until the first song
    assert room.level(26) == 1  # door lamp: occupied
    room.core.add_song(SONG.song_id)
    room.core.tick()
    assert room.level(12) == pytest.approx(0.3)  # 唱歌
    room.checkout()
    assert not any(room.relay_on(p) for p in (22, 23, 24))
    assert room.level(12) == 1.0  # work light for the cleaners
    assert room.level(26) == 1  # a single-colour lamp is on while cleaning
    # the relays' own history: off at start (high, active-low), on, off again
    assert room.states(24) == [0.0, 1.0, 0.0, 1.0]
    assert room.states(12) == [0.0, 0.8, 0.3, 1.0]
    reasons = [(e.on, e.scene, e.reason) for e in room.switches()]
    assert reasons == [
        (False, "welcome", "standby"),
        (True, "welcome", "session_opened"),
        (True, "singing", "singing"),
        (False, "cleaning", "checkout_cleaning"),  # SessionClosed: the room's state is IDLE
        (False, "cleaning", "checkout_cleaning"),  # then CLEANING: the door lamp comes on
    ]
    assert [e.load_watts for e in room.switches()[-2:]] == [60 + 30, 60 + 30 + 5]
    on = room.switches()[1]
    assert on.load_watts == round(0.8 * 60 + 1.0 * 30 + 5 + 150 + 300 + 1500)  # RGB: brightest
    assert {o.name: o.level_permille for o in on.outputs}["ac"] == 1000


def test_an_empty_free_room_goes_dark_after_the_idle_time(room: OutputRoom) -> None:
    room.open_session()
    room.checkout()
    room.core.handle(RoomStateChanged(RoomState.IDLE))  # cleaning done
    room.clock.advance(IDLE_OFF_S - 1)
    room.core.tick()
    assert room.level(12) == pytest.approx(0.8)
    room.clock.advance(1)
    room.core.tick()
    assert room.level(12) == 0 and room.level(5) == 0
    assert room.switches()[-1].reason == "idle_nobody_present"
    assert room.switches()[-1].load_watts == 0
    room.core.motion_signal(True)  # someone walks in: the lights come back
    assert room.level(12) == pytest.approx(0.8)


def test_the_idle_rule_never_switches_off_a_room_in_session(room: OutputRoom) -> None:
    room.open_session()
    for _ in range(12):
        room.clock.advance(IDLE_OFF_S)
        room.core.tick()
    assert all(room.relay_on(p) for p in (22, 23, 24))
    assert room.switches()[-1].reason == "session_opened"


def test_emergency_overrides_every_scene(room: OutputRoom) -> None:
    room.open_session()
    for scene in (Scene.WELCOME, Scene.SINGING, Scene.PARTY, Scene.CLEANING, Scene.OFF):
        room.core.choose_scene(scene)
        room.core.handle(Emergency(True, "fire"))
        assert room.level(12) == 1.0, scene  # lights full
        assert (room.level(5), room.level(6), room.level(13)) == (1, 1, 1), scene
        assert not room.relay_on(23), scene  # the amplifier is off: sound off
        assert room.switches()[-1].scene == "emergency"
        room.core.handle(Emergency(False))
        assert room.relay_on(23), scene  # the session's sound is back
    room.core.handle(SetPower(PowerMode.OFF, "test"))
    room.core.handle(Emergency(True, "fire"))
    assert room.level(12) == 1.0  # even over the desk's power-off


def test_guests_choose_scenes_only_in_their_session(room: OutputRoom) -> None:
    with pytest.raises(FailedPrecondition):
        room.core.choose_scene(Scene.PARTY)
    room.open_session()
    room.core.choose_scene(Scene.OFF)
    assert room.level(12) == 0 and room.relay_on(23)  # lights off, the music goes on
    assert room.switches()[-1].reason == "guest_scene"
    room.core.handle(SessionClosed("sessions/1"))
    room.core.handle(OPEN.__class__("sessions/2", OPEN.open_time))
    assert room.level(12) == pytest.approx(0.8)  # the next guests start at 迎宾


def test_party_lights_follow_the_song_tempo(room: OutputRoom) -> None:
    room.open_session()
    room.core.add_song(SONG.song_id)
    room.core.choose_scene(Scene.PARTY)
    seen = set()
    for _ in range(20):  # 120 bpm: a beat every 0.5 s, sampled every 50 ms
        room.clock.advance(0.05)
        room.core.tick()
        seen.add(room.level(5))
    assert max(seen) >= 0.9 and min(seen) <= 0.4  # pulses, not a steady level
    assert room.switches()[-1].scene == "party"  # one switch event, not one per beat


def test_the_desk_forces_the_power_and_gives_it_back(room: OutputRoom) -> None:
    room.core.handle(SetPower(PowerMode.ON, "event setup"))
    assert all(room.relay_on(p) for p in (22, 23, 24))
    assert room.switches()[-1].reason == "desk_forced_on: event setup"
    room.core.handle(SetPower(PowerMode.OFF, "closing"))
    assert not any(room.relay_on(p) for p in (22, 23, 24)) and room.level(12) == 0
    room.open_session()  # forced off wins over the session until the desk says auto
    assert not room.relay_on(24)
    room.core.handle(SetPower(PowerMode.AUTO))
    assert room.relay_on(24)
    assert room.outputs.switch_counts["ac"] == 3  # on, off, on


def test_an_output_the_pins_refuse_closes_what_was_built() -> None:
    factory = MockFactory(pin_class=MockPWMPin)
    taken = factory.pin(12)
    from gpiozero import LED

    holder = LED(12, pin_factory=factory)
    with pytest.raises(Exception, match="output lights"):
        RoomOutputs(
            (
                OutputSpec("tv", OutputKind.RELAY, OutputRole.POWER, (22,)),
                OutputSpec("lights", OutputKind.PWM, OutputRole.LIGHTS, (12,)),
            ),
            pin_factory=factory,
        )
    assert taken is factory.pin(12)
    # the relay built first was closed again: its pin can be taken anew
    LED(22, pin_factory=factory).close()
    holder.close()
    factory.reset()
