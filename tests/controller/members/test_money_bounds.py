"""Membership's money inputs are bounded like billing's: the venue config's campaign gifts,
top-ups against the venue's top-up and balance bounds."""

from __future__ import annotations

import pytest

from controller.members.desk import MemberDesk
from controller.members.jobs import campaign_settings
from ktv.errors import InvalidArgument
from ktv.limits import Limits


@pytest.mark.parametrize(
    ("gift", "reason"),
    [(10**15, "AMOUNT_OUT_OF_RANGE"), ("²", "INVALID_ARGUMENT"), ("9" * 100, "INVALID_ARGUMENT")],
)
def test_a_campaign_gift_out_of_range_in_the_venue_config_is_refused(gift, reason):
    with pytest.raises(InvalidArgument) as err:
        campaign_settings({"members": {"birthday_gift": gift}})
    assert err.value.reason == reason


def test_a_top_up_that_takes_the_balance_past_the_venues_bound_writes_nothing(store, clock):
    desk = MemberDesk(store, clock, limits=Limits(topup_fen_max=100_000, balance_fen_max=150_000))
    member = desk.register("13800138000", "韩梅梅")
    desk.top_up(member.member_id, 100_000, tender="cash", request_id="t1")  # + ¥250 bonus
    with pytest.raises(InvalidArgument) as err:
        desk.top_up(member.member_id, 100_000, tender="cash", request_id="t2")
    assert err.value.reason == "BALANCE_TOO_LARGE"
    with pytest.raises(InvalidArgument) as err:
        desk.top_up(member.member_id, 100_001, tender="cash", request_id="t3")
    assert err.value.reason == "AMOUNT_OUT_OF_RANGE"
    assert len(desk.history(member.member_id)) == 1
