"""Every unary RPC of every service, fuzzed from its request message's descriptor, with every
kind of caller: each staff role's token, the room's agent, a guest, no credential, a forged
token and a malformed header. Per call: never INTERNAL/UNKNOWN, a reason and a short message
on every refusal, no traceback, a refusal writes nothing, the server stays healthy
(tests/fuzz/harness.py)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.fuzz.conftest import EXAMPLES
from tests.fuzz.harness import FuzzVenue, failures, method_classes
from tests.fuzz.strategies import all_methods, message_values

UNARY = [
    (path, method)
    for path, method in all_methods()
    if not method.client_streaming and not method.server_streaming
]
CREDENTIALS = (
    "none",
    "admin",
    "waiter",
    "cashier",
    "technician",
    "manager",
    "agent",
    "guest",
    "forged",
    "malformed",
)


def test_the_fuzzer_covers_every_rpc_the_protos_define() -> None:
    streaming = {p for p, m in all_methods() if m.client_streaming or m.server_streaming}
    # A new streaming RPC needs its own fuzz (tests/fuzz/test_streams.py); unary ones are
    # picked up from the descriptors.
    assert streaming == {"ktv.v1.RoomLinkService/Connect", "ktv.v1.RoomService/WatchRooms"}
    assert len(UNARY) + len(streaming) == len(all_methods()) >= 52


@pytest.mark.parametrize(("path", "method"), UNARY, ids=[p for p, _ in UNARY])
def test_every_caller_with_an_empty_request(venue: FuzzVenue, path: str, method) -> None:
    request_type, _ = method_classes(method)
    outcomes = [venue.call_unary(path, method, request_type(), c) for c in CREDENTIALS]
    assert not failures(outcomes), "\n".join(failures(outcomes))


@pytest.mark.parametrize(("path", "method"), UNARY, ids=[p for p, _ in UNARY])
def test_fuzzed_requests(venue: FuzzVenue, path: str, method) -> None:
    found: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(
        request=message_values(method.input_type),
        credential=st.one_of(st.just("admin"), st.sampled_from(CREDENTIALS)),
    )
    def run(request, credential: str) -> None:
        found.extend(failures([venue.call_unary(path, method, request, credential)]))

    run()
    assert not found, f"{len(found)} failures:\n" + "\n\n".join(found[:10])


def test_a_known_issue_covers_only_its_rpc_its_problems_and_its_requests() -> None:
    from ktv.v1 import members_pb2
    from tests.fuzz.harness import FEN_MAX, KnownIssue

    top_up = KnownIssue(
        "ktv.v1.MembersService/TopUp",
        lambda r: not 0 < r.amount_fen <= FEN_MAX,
        owner="an example: the list itself is empty once every issue is fixed",
        example="amount_fen=2**63-1 -> INTERNAL",
    )
    huge = members_pb2.TopUpRequest(member="13800138000", amount_fen=2**63 - 1)
    sane = members_pb2.TopUpRequest(member="13800138000", amount_fen=100)
    assert top_up.covers(top_up.method, "status INTERNAL: ...", huge)
    assert not top_up.covers(top_up.method, "status INTERNAL: ...", sane)
    assert not top_up.covers(top_up.method, "refused call wrote tables ['members']", huge)
    assert not top_up.covers("ktv.v1.MembersService/RefundBalance", "status INTERNAL", huge)
