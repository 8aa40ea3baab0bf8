"""Regressions for what the fuzzer found in the unary RPCs (each failed before its fix)."""

from __future__ import annotations

import time
import uuid
from datetime import date

import grpc
import pytest

from controller.api.errors import REASON_KEY
from controller.members.campaigns import birthday_mmdd_window
from ktv.errors import InvalidArgument
from ktv.v1 import members_pb2, members_pb2_grpc
from tests.fuzz.harness import FuzzVenue


def test_a_birthday_campaign_half_a_million_days_ahead_is_refused_quickly(
    venue: FuzzVenue,
) -> None:
    """Found by the fuzzer: lead_days=539094 built half a million dates and an SQL query with
    one variable per day: INTERNAL ('too many SQL variables') after stalling the controller's
    loop for 3.6 s; 2**31-1 would have exhausted its memory."""
    members = members_pb2_grpc.MembersServiceStub(venue.channel)
    request = members_pb2.RunCampaignRequest(
        campaign="birthday", lead_days=539_094, request_id=uuid.uuid4().hex
    )
    before = venue.db.checksums()
    started = time.monotonic()
    with pytest.raises(grpc.RpcError) as refused:
        members.RunCampaign(request, metadata=venue.ctl.admin_md, timeout=10)
    assert time.monotonic() - started < 2.0
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert dict(refused.value.trailing_metadata())[REASON_KEY] == "BAD_CAMPAIGN"
    assert venue.db.checksums() == before
    assert "Traceback" not in venue.new_log()


@pytest.mark.parametrize("lead_days", [-1, 367, 2**31 - 1])
def test_the_birthday_window_is_bounded_before_it_is_built(lead_days: int) -> None:
    with pytest.raises(InvalidArgument) as refused:
        birthday_mmdd_window(date(2026, 12, 7), lead_days)
    assert refused.value.reason == "BAD_CAMPAIGN"


def test_a_year_long_birthday_window_still_works() -> None:
    window = birthday_mmdd_window(date(2026, 12, 7), 366)
    assert window[0] == "12-07" and len(window) == 367 + 1  # 02-28 brings 02-29 along
