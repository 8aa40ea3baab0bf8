"""The pieces between the link and the screen, without a network: the new link messages
convert both ways, the core turns the desk's acknowledgement into what the touchscreen shows,
and the pure prepaid-time model follows the plan's after-end policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from controller.api.convert import command_to_pb
from controller.rooms import commands
from ktv.v1 import link_pb2
from room_agent.core.ports import ServiceAcknowledged, SessionOpened
from room_agent.core.time_left import PrepaidTime, TimePhase, TimePolicy, TimeSignal
from room_agent.headless import HeadlessRoom
from room_agent.link.convert import command_from_proto
from room_agent.ui.core_adapter import CoreRoomControl, RoomIdentity
from tests.room_agent.timeup.conftest import make_timed_room

T0 = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)


def test_the_controllers_acknowledgement_arrives_as_the_agents_command() -> None:
    sent = command_to_pb(
        commands.RoomCommand(commands.ServiceAcknowledged("SERVICE_CALLED", "w-lily", "water"))
    )
    assert command_from_proto(sent) == ServiceAcknowledged(staff="w-lily", call_kind="water")


def test_the_plans_after_end_policy_arrives_with_the_session() -> None:
    for continues, wire in (
        (True, link_pb2.AFTER_END_CONTINUE_HOURLY),
        (False, link_pb2.AFTER_END_STOP),
        (None, link_pb2.AFTER_END_UNSPECIFIED),
    ):
        body = commands.SessionOpened("sessions/s1", T0, T0 + timedelta(hours=1), 2, continues)
        sent = command_to_pb(commands.RoomCommand(body))
        assert sent.session_opened.after_end == wire
        got = command_from_proto(sent)
        assert isinstance(got, SessionOpened) and got.continues_after_end is continues


def test_an_acknowledgement_answers_every_waiting_call_and_not_the_next_one() -> None:
    room = make_timed_room()
    room.core.handle(SessionOpened("sessions/s1", room.clock.utcnow()))
    screen = CoreRoomControl(room.core, RoomIdentity("A08"))
    first = screen.call_service("water")
    second = screen.call_service("tissue")
    room.core.handle(ServiceAcknowledged(staff="w-lily", call_kind="tissue"))
    later = screen.call_service("microphone")
    calls = {c.call_id: c for c in screen.service_calls()}
    assert calls[first.call_id].acknowledged and calls[second.call_id].acknowledged
    assert calls[second.call_id].acknowledged_by == "w-lily"
    assert not calls[later.call_id].acknowledged
    room.core.close()


def test_a_headless_room_takes_an_acknowledgement_in_its_stride(tmp_path) -> None:
    room = HeadlessRoom("A08", state_file=tmp_path / "state.json")
    before = room.view
    room.handle(ServiceAcknowledged(staff="w-lily"))
    assert room.view == before


def test_the_model_continues_past_the_end_and_can_switch_either_way() -> None:
    prepaid = PrepaidTime(TimePolicy(grace_s=0))
    prepaid.set_end(T0 + timedelta(minutes=1), T0)
    assert prepaid.set_continues(True, T0) == []
    assert prepaid.poll(T0 + timedelta(minutes=5)) == []
    assert prepaid.at(T0 + timedelta(minutes=5)).phase is TimePhase.OVERTIME
    assert prepaid.at(T0 + timedelta(minutes=5)).short_text == "超时"
    events = prepaid.set_continues(False, T0 + timedelta(minutes=5))
    assert [e.signal for e in events] == [TimeSignal.TIME_UP]
    events = prepaid.set_continues(True, T0 + timedelta(minutes=6))
    assert [e.signal for e in events] == [TimeSignal.EXTENDED]
    prepaid.forget()
    assert not prepaid.continues
