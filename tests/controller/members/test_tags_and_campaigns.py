"""Tags from behaviour, RFM, campaigns once per member and period, the notifications outbox."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from controller.members.campaigns import FileNotifier, upcoming_birthday
from controller.members.loyalty import LoyaltyDesk
from controller.members.outreach import Outreach
from controller.members.points import SpendLine
from controller.members.tiers import Activity, Tag, profile

NOW = datetime(2026, 11, 24, 11, tzinfo=UTC)


def activity(**kw) -> Activity:
    base = dict(
        registered_at=NOW - timedelta(days=400),
        birthday=None,
        last_visit=NOW - timedelta(days=3),
        visits_90d=1,
        visits_12m=3,
        spend_12m_fen=100_000,
    )
    base.update(kw)
    return Activity(**base)  # type: ignore[arg-type]


def test_someone_who_joined_last_week_is_new():
    assert Tag.NEW in profile(activity(registered_at=NOW - timedelta(days=7)), NOW).tags


def test_six_visits_in_ninety_days_is_high_frequency():
    assert Tag.HIGH_FREQUENCY in profile(activity(visits_90d=6), NOW).tags
    assert Tag.HIGH_FREQUENCY not in profile(activity(visits_90d=5), NOW).tags


def test_twenty_thousand_yuan_in_a_year_is_a_vip():
    assert Tag.VIP in profile(activity(spend_12m_fen=2_000_000), NOW).tags


def test_ninety_days_without_a_visit_is_dormant():
    assert Tag.DORMANT in profile(activity(last_visit=NOW - timedelta(days=91)), NOW).tags
    assert Tag.DORMANT not in profile(activity(), NOW).tags


def test_a_november_birthday_is_tagged_in_november():
    assert Tag.BIRTHDAY_THIS_MONTH in profile(activity(birthday=date(1990, 11, 30)), NOW).tags


def test_rfm_ranks_a_recent_frequent_big_spender_above_a_lapsed_one():
    best = profile(activity(visits_12m=20, spend_12m_fen=2_000_000), NOW).rfm
    lapsed = profile(
        activity(last_visit=NOW - timedelta(days=200), visits_12m=1, spend_12m_fen=0), NOW
    ).rfm
    assert best == "R5F5M5" and lapsed == "R1F1M1"


def test_a_leap_day_birthday_is_celebrated_on_the_28th():
    assert upcoming_birthday(date(2000, 2, 29), date(2027, 2, 25), 7) == date(2027, 2, 28)


@pytest.fixture
def outreach(members) -> Outreach:
    return Outreach(LoyaltyDesk(members))


def test_birthday_gift_is_issued_a_week_before_and_only_once(outreach, members, clock):
    soon = members.register("13800138000", "张伟", birthday=date(1990, 11, 28))
    members.register("13900139000", "李四", birthday=date(1990, 12, 25))
    first = outreach.run_birthday(lead_days=7)
    assert (first.reached, first.skipped) == (1, 0)
    again = outreach.run_birthday(lead_days=7)
    assert (again.reached, again.skipped) == (0, 1)
    coupons = outreach.loyalty.coupons(soon.member_id)
    assert len(coupons) == 1 and coupons[0].spec.campaign == "birthday"
    clock.advance(days=365)  # next year: a new period
    assert outreach.run_birthday(lead_days=7).reached == 1


def test_dormant_members_get_one_win_back_a_month(outreach, members, clock):
    old = members.register("13800138000", "张伟")
    outreach.loyalty.record_visit(old.member_id, "b1", [SpendLine("room", 10_000)])
    clock.advance(days=100)
    members.register("13900139000", "李四")  # new, not dormant
    assert outreach.run_win_back().reached == 1
    assert outreach.run_win_back().reached == 0
    clock.advance(days=91)  # a new month: both are dormant now
    assert outreach.run_win_back().reached == 2


def test_an_event_goes_to_everyone_with_a_tag(outreach, members):
    members.register("13800138000", "张伟")
    result = outreach.run_for_tag(Tag.NEW, "double11", 2_000, period="2026-double11")
    assert result.reached == 1


def test_the_outbox_sends_each_message_once_and_keeps_failures(outreach, members, tmp_path, clock):
    members.register("13800138000", "张伟", birthday=date(1990, 11, 28))
    outreach.run_birthday()

    class Down:
        channel = "sms"

        def send(self, note):
            raise ConnectionError("gateway down")

    assert outreach.dispatch(Down()) == 0
    log = tmp_path / "notifications.jsonl"
    assert outreach.dispatch(FileNotifier(log)) == 0  # waits a minute before the retry
    clock.advance(minutes=1)
    assert outreach.dispatch(FileNotifier(log)) == 1
    assert outreach.dispatch(FileNotifier(log)) == 0
    line = json.loads(log.read_text(encoding="utf-8"))
    assert line["template"] == "birthday_gift" and line["phone"] == "13800138000"
    assert line["payload"]["amount_yuan"] == "88.00"
