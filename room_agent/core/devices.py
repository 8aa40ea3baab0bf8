"""The room's outputs: scene, power and the occupancy rules (issue 24).

Owned by ``RoomCore`` and called under its lock. On every change of the room (a command, a
sensor edge, a guest's pick, the loop's tick) ``refresh`` asks the pure ``scenes.decide``
what the room should show and drives the ``Outputs`` port (gpiozero in
``room_agent/devices``) only where a level changed. A change of scene or power goes up the
link as ``PowerSwitched`` with its reason and the load in watts (and so does a change of
load alone, such as the door lamp following the board state), so the board shows the
room's power and the controller can integrate its energy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ktv.errors import InvalidArgument
from room_agent.core import settings
from room_agent.core.events import ScenesChanged
from room_agent.core.ports import (
    OutputLevel,
    Outputs,
    PowerMode,
    PowerSwitched,
    RoomState,
    SetPower,
)
from room_agent.core.scenes import (
    GUEST_SCENES,
    Drive,
    OutputSpec,
    Plan,
    Scene,
    Situation,
    beat_level,
    decide,
    drive_levels,
    reported_levels,
    song_tempo,
)

if TYPE_CHECKING:
    from room_agent.core.room import RoomCore

BEAT_STEP = 0.05  # party levels are quantised: a PWM write only when the level moves


class DevicesController:
    """Owns: the guests' scene, the desk's power mode, when the room was last seen empty,
    the plan shown and the levels driven."""

    def __init__(
        self,
        core: RoomCore,
        outputs: Outputs | None,
        idle_off_after_s: float = settings.idle_off_after_s,
    ) -> None:
        if idle_off_after_s <= 0:
            raise InvalidArgument("idle_off_after_s must be positive")
        self._core = core
        self._outputs = outputs
        self.specs: tuple[OutputSpec, ...] = outputs.specs if outputs is not None else ()
        self.idle_off_after_s = idle_off_after_s
        self.guest_scene: Scene | None = None
        self.power_mode = PowerMode.AUTO
        self.plan: Plan | None = None
        self.levels: dict[str, Drive] = {}
        self._power_reason = ""
        self._nobody_since_s: float | None = None
        self._session = ""
        self._singing_started = False
        self._checked_out = False
        self._business = core.room.business
        self._steady_key: tuple[Plan, RoomState] | None = None
        self._load_watts = -1

    # --- intents -----------------------------------------------------------------------------
    def choose_scene(self, scene: Scene, now_s: float) -> Plan:
        """The guests' pick on the touchscreen (only while their session is open)."""
        self._core.room.require_open()
        if scene not in GUEST_SCENES:
            raise InvalidArgument(f"guests cannot choose the {scene.value} scene")
        self.guest_scene = scene
        return self.refresh(now_s, reason="guest_scene")

    def set_power(self, command: SetPower, now_s: float) -> Plan:
        self.power_mode = command.mode
        self._power_reason = command.reason
        return self.refresh(now_s)

    # --- the rule ----------------------------------------------------------------------------
    def refresh(self, now_s: float, *, reason: str = "") -> Plan:
        core = self._core
        room = core.room
        if room.session != self._session:  # a new session (or none): the guests' pick goes
            self._checked_out = bool(self._session) and not room.session
            self._session = room.session
            self.guest_scene = None
            self._singing_started = False
        if room.business is not self._business:
            if self._business is RoomState.CLEANING or room.business not in (
                RoomState.IDLE,
                RoomState.CLEANING,
            ):
                self._checked_out = False  # cleaning done, or the desk moved the room on
            self._business = room.business
        current = core.playback.current
        if current is not None and room.session:
            self._singing_started = True
        present = core.sensors.present
        if present:
            self._nobody_since_s = None
        elif self._nobody_since_s is None:
            self._nobody_since_s = now_s
        nobody_for_s = 0.0 if self._nobody_since_s is None else now_s - self._nobody_since_s
        plan = decide(
            Situation(
                business=room.business,
                session_open=bool(room.session),
                emergency=room.emergency,
                present=present,
                nobody_for_s=nobody_for_s,
                singing_started=self._singing_started,
                guest_scene=self.guest_scene,
                power_mode=self.power_mode,
                idle_off_after_s=self.idle_off_after_s,
                checked_out=self._checked_out,
            )
        )
        before = self.plan
        beat = None
        if plan.scene is Scene.PARTY and current is not None:
            played_s = current.played_ms(now_s) / 1000
            raw = beat_level(song_tempo(current.song.tags), played_s)
            beat = round(raw / BEAT_STEP) * BEAT_STEP
        levels = drive_levels(plan, room.business, self.specs, beat=beat)
        if levels != self.levels:
            self.levels = levels
            if self._outputs is not None:
                self._outputs.apply(levels)
        self.plan = plan
        key = (plan, room.business)
        if key != self._steady_key:  # the scene's steady levels (the beat left out)
            self._steady_key = key
            steady = drive_levels(plan, room.business, self.specs)
            outputs, load_watts = reported_levels(steady, self.specs)
            switched = before is None or (before.scene, before.power_on) != (
                plan.scene,
                plan.power_on,
            )
            if switched or load_watts != self._load_watts:  # e.g. the door lamp's state
                self._load_watts = load_watts
                self._switched(plan, reason, outputs, load_watts)
        return plan

    def _switched(
        self, plan: Plan, reason: str, outputs: tuple[OutputLevel, ...], load_watts: int
    ) -> None:
        why = reason or plan.reason
        if plan.reason.startswith("desk_forced") and self._power_reason:
            why = f"{plan.reason}: {self._power_reason}"
        self._core.emit_up(PowerSwitched(plan.power_on, plan.scene.value, why, outputs, load_watts))
        self._core.send(ScenesChanged(plan.scene, plan.power_on, why))
