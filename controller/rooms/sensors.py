"""Door, presence, service-call, pins and power events applied to a room (pure)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from controller.rooms.events import (
    DoorChanged,
    PinsChecked,
    PowerSwitched,
    PresenceChanged,
    ServiceCalled,
)
from controller.rooms.model import BoardRoom, SensorPins, ServiceCall


def apply_sensor_event(room: BoardRoom, payload: object, occur: datetime) -> BoardRoom:
    """The room with a door/presence/service-call event applied (others change nothing).

    ``occur`` is the event's time by the agent's clock; an event older than the one already
    applied (delivered late from an outbox) does not override it.
    """
    sensors = room.sensors
    if isinstance(payload, DoorChanged):
        if sensors.door_since is not None and occur < sensors.door_since:
            return room  # an older event delivered late: the newer one stands
        if sensors.door_open == payload.open and sensors.door_since is not None:
            return room
        return room.bumped(sensors=replace(sensors, door_open=payload.open, door_since=occur))
    if isinstance(payload, PresenceChanged):
        if sensors.presence_since is not None and occur < sensors.presence_since:
            return room
        if sensors.occupied == payload.present and sensors.presence_since is not None:
            return room
        return room.bumped(sensors=replace(sensors, occupied=payload.present, presence_since=occur))
    if isinstance(payload, ServiceCalled):
        current = room.service_call
        if current is not None and occur < current.since:
            return room
        return room.bumped(service_call=ServiceCall(payload.kind, payload.note, occur))
    if isinstance(payload, PinsChecked):
        pins = SensorPins.MOCK if payload.mocked else SensorPins.REAL
        return room if room.pins is pins else room.bumped(pins=pins)
    if isinstance(payload, PowerSwitched):
        power = room.power
        if power.since is not None and occur < power.since:
            return room
        return room.bumped(
            power=replace(
                power,
                on=payload.on,
                scene=payload.scene,
                reason=payload.reason,
                since=occur,
                load_watts=payload.load_watts,
            )
        )
    return room
