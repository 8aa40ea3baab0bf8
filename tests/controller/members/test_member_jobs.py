"""Membership's periodic work, driven by the controller's scheduler with a clock the tests
move: birthday coupons once a year, points expiry, monthly win-back, the notifications outbox
with retry and backoff, and the credit sweep. A restart repeats nothing."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

import controller.scheduler.runner  # noqa: F401 - registers the scheduler migrations
from controller.billing.desk import TenderAmount
from controller.billing.records import Tender
from controller.members.campaigns import FileNotifier
from controller.members.checkout import MemberCheckout
from controller.members.jobs import CampaignSettings, campaign_settings, schedule_member_jobs
from controller.members.loyalty import LoyaltyDesk
from controller.members.outreach import Outreach
from controller.members.points import SpendLine
from controller.scheduler.runner import Scheduler
from ktv.errors import InvalidArgument

from .test_pay_from_balance import CASHIER, venue_at

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Channel:
    """An SMS gateway that is down until told otherwise."""

    channel = "sms"

    def __init__(self) -> None:
        self.up = False
        self.sent: list[int] = []

    def send(self, note) -> None:
        if not self.up:
            raise ConnectionError("gateway down")
        self.sent.append(note.notification_id)


class Venue:
    def __init__(self, path, clock, notifier) -> None:
        self.billing, self.members = venue_at(path, clock, seed=not path.exists())
        self.loyalty = LoyaltyDesk(self.members)
        self.outreach = Outreach(self.loyalty)
        self.checkout = MemberCheckout(self.billing, self.loyalty)
        self.scheduler = Scheduler(self.billing.store, clock, SHANGHAI)
        schedule_member_jobs(
            self.scheduler, self.outreach, self.checkout, notifier, CampaignSettings()
        )
        self.store = self.billing.store

    def runs(self) -> dict[str, str]:
        return {r.job: r.result for r in self.scheduler.run_due() if r.ok}

    def coupons(self, campaign: str) -> int:
        return self.store.query(
            "SELECT COUNT(*) AS n FROM coupons WHERE campaign = ?", (campaign,)
        )[0]["n"]


@pytest.fixture
def channel() -> Channel:
    return Channel()


@pytest.fixture
def venue(tmp_path, clock, channel):
    clock.now = datetime(2026, 11, 24, 9, 30, tzinfo=SHANGHAI).astimezone(UTC)
    v = Venue(tmp_path / "controller.db", clock, channel)
    yield v
    v.store.close()


def test_every_membership_job_is_scheduled_at_its_default_time(venue):
    assert {j.name: str(j.cadence) for j in venue.scheduler.jobs()} == {
        "points_expiry": "daily 04:00",
        "birthday": "daily 09:00",
        "win_back": "monthly 1 10:00",
        "notifications": "every 5m",
        "member_credit_sweep": "every 10m",
    }


def test_a_birthday_coupon_goes_out_once_and_its_message_once_the_gateway_is_back(
    venue, clock, channel
):
    m = venue.members.register("13800138000", "张伟", birthday=date(1990, 11, 28))
    first = venue.runs()
    assert first["birthday"].startswith("1 birthday coupons")
    assert first["notifications"] == "sent 0, 1 waiting, 0 given up"  # the gateway is down
    clock.advance(minutes=5)
    assert venue.runs()["notifications"] == "sent 0, 1 waiting, 0 given up"  # retry failed
    channel.up = True
    clock.advance(minutes=5)  # the second retry waits 2 minutes: due now
    assert venue.runs()["notifications"] == "sent 1, 0 waiting, 0 given up"
    clock.advance(days=1)
    later = venue.runs()
    assert later["birthday"] == "0 birthday coupons (1 had theirs)"
    assert venue.coupons("birthday") == 1 and len(channel.sent) == 1
    row = venue.store.query_one("SELECT attempts, last_error FROM notifications")
    assert row["attempts"] == 3 and "gateway down" in row["last_error"]
    assert m.member_id


def test_a_message_that_keeps_failing_is_given_up_after_its_last_attempt(venue, clock):
    venue.members.register("13800138000", "张伟", birthday=date(1990, 11, 28))
    for _ in range(40):  # every 5 minutes... then hourly runs, for two days
        venue.runs()
        clock.advance(hours=1)
    row = venue.store.query_one("SELECT attempts, gave_up_at, sent_at FROM notifications")
    assert row["attempts"] == 8 and row["gave_up_at"] and row["sent_at"] is None


def test_points_past_their_date_expire_in_the_nightly_run(venue, clock):
    m = venue.members.register("13800138000", "张伟")
    venue.loyalty.record_visit(m.member_id, "bills/old", [SpendLine("room", 120_000)])
    assert venue.members.get(m.member_id).points == 1200
    venue.runs()
    assert venue.members.get(m.member_id).points == 1200
    clock.advance(days=366)
    out = venue.runs()
    assert out["points_expiry"] == "expired 1200 points of 1 members"
    assert venue.members.get(m.member_id).points == 0
    clock.advance(days=1)
    assert venue.runs()["points_expiry"] == "expired 0 points of 0 members"


def test_dormant_members_get_one_win_back_coupon_a_month(venue, clock):
    venue.members.register("13800138000", "张伟")
    clock.now = datetime(2027, 3, 1, 10, 5, tzinfo=SHANGHAI).astimezone(UTC)  # 97 days idle
    assert venue.runs()["win_back"].startswith("1 win-back coupons for 2027-03")
    venue.scheduler.run_now("win_back")  # a manager's rerun gives nothing twice
    assert venue.coupons("win_back") == 1
    clock.now = datetime(2027, 4, 1, 10, 5, tzinfo=SHANGHAI).astimezone(UTC)
    assert venue.runs()["win_back"].startswith("1 win-back coupons for 2027-04")


def test_the_sweep_credits_a_bill_whose_checkout_did_not(venue, clock):
    m = venue.members.register("13800138000", "张伟", pin="2580")
    venue.billing.open("A08", 4, CASHIER)
    venue.members.sign_in("13800138000", "2580", "A08", venue.billing.tab_id_of("A08"))
    clock.advance(hours=1)
    due = venue.billing.bill(venue.billing.tab_id_of("A08")).bill.due_fen
    venue.billing.checkout("A08", CASHIER, [TenderAmount(Tender.CASH, due)], "co-1")  # no hook
    assert venue.members.get(m.member_id).points == 0
    assert venue.runs()["member_credit_sweep"] == "credited 1 members"
    assert venue.members.get(m.member_id).points == due // 100
    clock.advance(minutes=10)
    assert venue.runs()["member_credit_sweep"] == "credited 0 members"


def test_a_restart_the_same_day_repeats_no_job(tmp_path, clock, channel):
    clock.now = datetime(2026, 11, 24, 9, 30, tzinfo=SHANGHAI).astimezone(UTC)
    path = tmp_path / "controller.db"
    first = Venue(path, clock, channel)
    first.members.register("13800138000", "张伟", birthday=date(1990, 11, 28))
    assert set(first.runs()) == {
        "points_expiry",
        "birthday",
        "win_back",
        "notifications",
        "member_credit_sweep",
    }
    first.store.close()
    again = Venue(path, clock, channel)
    try:
        assert again.runs() == {}
        assert again.coupons("birthday") == 1
    finally:
        again.store.close()


def test_the_venue_config_sets_the_gifts_and_refuses_nonsense():
    got = campaign_settings(
        {"members": {"birthday_lead_days": 3, "birthday_gift": 66, "win_back_gift": "30.50"}}
    )
    assert got == CampaignSettings(3, 6_600, 3_050)
    assert campaign_settings({}) == CampaignSettings()
    with pytest.raises(InvalidArgument):
        campaign_settings({"members": {"birthday_lead_days": -1}})
    with pytest.raises(InvalidArgument):
        campaign_settings({"members": {"birthday_gift": 8.8}})


def test_the_file_channel_writes_one_json_line_per_message(venue, clock, tmp_path):
    venue.members.register("13800138000", "张伟", birthday=date(1990, 11, 28))
    log = tmp_path / "notifications.jsonl"
    venue.outreach.run_birthday()
    assert venue.outreach.dispatch(FileNotifier(log)) == 1
    assert json.loads(log.read_text(encoding="utf-8"))["template"] == "birthday_gift"


def test_expiry_across_several_batches_expires_every_member_once(venue, clock):
    ids = [venue.members.register(f"1380013800{i}", f"会员{i}").member_id for i in range(5)]
    for i, mid in enumerate(ids):
        venue.loyalty.record_visit(mid, f"bills/old-{i}", [SpendLine("room", 10_000 * (i + 1))])
    clock.advance(days=366)
    assert venue.loyalty.expire_all(batch=2) == (5, 100 + 200 + 300 + 400 + 500)
    assert venue.loyalty.expire_all(batch=2) == (0, 0)
    assert all(venue.members.get(mid).points == 0 for mid in ids)
