"""Membership's periodic jobs, added to the controller's scheduler by the members module:

| job | default | what |
|---|---|---|
| ``points_expiry`` | daily 04:00 | expire points past their date, for every member |
| ``birthday`` | daily 09:00 | birthday coupons ``birthday_lead_days`` ahead (once per year) |
| ``win_back`` | monthly 1 10:00 | a coupon for dormant members (once per month) |
| ``notifications`` | every 5m | send the outbox; failures retry with backoff |
| ``member_credit_sweep`` | every 10m | credit members of closed bills the checkout hook missed |

Times are the venue's wall clock; ``[scheduler]`` in the venue config overrides them and
``[members]`` sets the gifts::

    [members]
    birthday_lead_days = 7
    birthday_gift = 88       # yuan
    win_back_gift = 50
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from controller.billing.money import parse_yuan
from controller.members import settings
from controller.members.campaigns import Notifier
from controller.members.checkout import MemberCheckout
from controller.members.outreach import Outreach
from controller.scheduler.runner import Scheduler
from controller.scheduler.timing import Period, parse_cadence
from ktv.errors import InvalidArgument
from ktv.limits import check_fen
from ktv.text import half_width_digits, short

DEFAULTS = {
    "points_expiry": parse_cadence("daily 04:00"),
    "birthday": parse_cadence("daily 09:00"),
    "win_back": parse_cadence("monthly 1 10:00"),
    "notifications": parse_cadence("every 5m"),
    "member_credit_sweep": parse_cadence("every 10m"),
}


@dataclass(frozen=True)
class CampaignSettings:
    birthday_lead_days: int = settings.birthday_lead_days
    birthday_gift_fen: int = 8_800
    win_back_gift_fen: int = 5_000


def campaign_settings(data: Mapping[str, Any]) -> CampaignSettings:
    """``[members]`` of the venue config (gifts in yuan)."""
    section = data.get("members", {})
    lead = section.get("birthday_lead_days", settings.birthday_lead_days)
    if isinstance(lead, bool) or not isinstance(lead, int) or not 0 <= lead <= 60:
        raise InvalidArgument(f"[members] birthday_lead_days: 0-60 days, not {lead!r}")
    return CampaignSettings(
        lead,
        _yuan(section.get("birthday_gift", 88), "birthday_gift"),
        _yuan(section.get("win_back_gift", 50), "win_back_gift"),
    )


def _yuan(value: object, key: str) -> int:
    """Whole yuan (88) or a string ("88.50"); never a float (money is exact)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidArgument(
            f'[members] {key}: whole yuan (88) or a string ("88.50"), not {value!r}'
        )
    text = half_width_digits(str(value)[:64])
    if len(text) > 32 or not text.isascii():
        raise InvalidArgument(f"[members] {key}: not an amount in yuan: {short(text)}")
    fen = parse_yuan(text)
    if fen <= 0:
        raise InvalidArgument(f"[members] {key}: more than 0 yuan, not {value!r}")
    return check_fen(fen, what=f"[members] {key}")


def schedule_member_jobs(
    scheduler: Scheduler,
    outreach: Outreach,
    checkout: MemberCheckout,
    notifier: Notifier,
    campaigns: CampaignSettings,
) -> None:
    loyalty = outreach.loyalty

    def expire(period: Period) -> str:
        members, points = loyalty.expire_all()
        return f"expired {points} points of {members} members"

    def birthday(period: Period) -> str:
        out = outreach.run_birthday(
            lead_days=campaigns.birthday_lead_days, gift_fen=campaigns.birthday_gift_fen
        )
        return f"{out.reached} birthday coupons ({out.skipped} had theirs)"

    def win_back(period: Period) -> str:
        out = outreach.run_win_back(gift_fen=campaigns.win_back_gift_fen)
        return f"{out.reached} win-back coupons for {out.period} ({out.skipped} had theirs)"

    def dispatch(period: Period) -> str:
        sent = outreach.dispatch(notifier)
        counts = outreach.outbox_counts()
        return f"sent {sent}, {counts.waiting} waiting, {counts.given_up} given up"

    def sweep(period: Period) -> str:
        since = loyalty.now() - timedelta(days=settings.credit_sweep_days)
        return f"credited {checkout.sweep(since)} members"

    actions = {
        "points_expiry": expire,
        "birthday": birthday,
        "win_back": win_back,
        "notifications": dispatch,
        "member_credit_sweep": sweep,
    }
    for name, action in actions.items():
        scheduler.add(name, DEFAULTS[name], action)
