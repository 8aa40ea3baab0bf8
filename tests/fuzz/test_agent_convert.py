"""The room agent's side of the link, fuzzed without a server: whatever RoomCommand or
Welcome arrives, the converter returns a typed command or raises InvalidArgument (which the
link answers with a failed CommandResult), never another exception (a traceback in the
agent's log, a failed handshake)."""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, given, settings

from ktv.errors import InvalidArgument
from ktv.v1 import link_pb2
from room_agent.core import ports
from room_agent.link import convert
from tests.fuzz.conftest import EXAMPLES
from tests.fuzz.strategies import message_values

FUZZ = settings(
    max_examples=EXAMPLES * 2,
    phases=[Phase.generate],
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@FUZZ
@given(message_values(link_pb2.RoomCommand.DESCRIPTOR))
def test_any_command_converts_or_is_refused(command: link_pb2.RoomCommand) -> None:
    try:
        converted = convert.command_from_proto(command)
    except InvalidArgument:
        return
    assert isinstance(converted, ports.RoomCommand.__args__)  # type: ignore[attr-defined]


@FUZZ
@given(message_values(link_pb2.ControllerWelcome.DESCRIPTOR))
def test_any_welcome_converts_or_is_refused(welcome: link_pb2.ControllerWelcome) -> None:
    try:
        commands = convert.welcome_commands(welcome)
    except InvalidArgument:
        return
    assert commands


def test_a_session_opened_at_an_impossible_time_is_refused_not_a_crash() -> None:
    """Found by the fuzzer: a Timestamp outside 0001..9999 raised ValueError from
    ``moment()``, which the dispatcher logged as a handler bug."""
    command = link_pb2.RoomCommand(
        command_id="c1", session_opened=link_pb2.SessionOpened(session="s1")
    )
    command.session_opened.open_time.seconds = 2**62
    try:
        convert.command_from_proto(command)
    except InvalidArgument as refused:
        assert "open_time" in refused.message
    else:
        raise AssertionError("an impossible open_time was accepted")
