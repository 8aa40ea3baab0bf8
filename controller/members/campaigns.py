"""Campaigns and notifications. Pure parts: who a campaign is for (and for which period, so
a run is idempotent per member and period), and the ``Notifier`` port with a file adapter.

Real channels implement ``Notifier.send``: an SMS adapter maps ``template`` to the SMS
provider's approved template id and ``payload`` to its parameters; a WeChat adapter sends a
subscription/template message to the member's openid with the same payload. Both must treat
``notification_id`` as the idempotency key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Protocol

from controller.members import settings
from controller.members.tiers import Profile, Tag
from ktv.errors import InvalidArgument
from ktv.limits import BIRTHDAY_LEAD_DAYS_MAX


@dataclass(frozen=True)
class Notification:
    notification_id: int
    member_id: str
    phone: str
    template: str  # birthday_gift, win_back, event
    payload: dict[str, str]
    created_at: datetime


class Notifier(Protocol):
    channel: str

    def send(self, note: Notification) -> None:
        """Deliver or raise (the outbox keeps it for the next dispatch)."""
        ...


class FileNotifier:
    """Appends one JSON line per message (the demo's channel; ``tail -f`` to watch)."""

    channel = "file"

    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, note: Notification) -> None:
        line = {
            "id": note.notification_id,
            "member": note.member_id,
            "phone": note.phone,
            "template": note.template,
            "payload": note.payload,
            "created_at": note.created_at.isoformat(),
        }
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")


def upcoming_birthday(birthday: date | None, today: date, lead_days: int) -> date | None:
    """The member's next birthday if it falls within ``lead_days`` from today (29 Feb is
    celebrated on 28 Feb in other years)."""
    if birthday is None:
        return None
    for year in (today.year, today.year + 1):
        try:
            day = birthday.replace(year=year)
        except ValueError:
            day = date(year, 2, 28)
        if today <= day <= today + timedelta(days=lead_days):
            return day
    return None


def check_lead_days(lead_days: int) -> int:
    if not 0 <= lead_days <= BIRTHDAY_LEAD_DAYS_MAX:
        raise InvalidArgument(
            f"lead_days is 0-{BIRTHDAY_LEAD_DAYS_MAX}, not {lead_days}", reason="BAD_CAMPAIGN"
        )
    return lead_days


def birthday_mmdd_window(today: date, lead_days: int) -> list[str]:
    """The MM-DD strings of the window (for an indexed query). The lead is bounded first: a
    lead of 2**31 days was a list of two billion dates (and one SQL variable per day)."""
    check_lead_days(lead_days)
    days = [today + timedelta(days=i) for i in range(lead_days + 1)]
    out = [d.strftime("%m-%d") for d in days]
    if "02-28" in out:
        out.append("02-29")
    return out


def retry_after(attempts: int) -> timedelta | None:
    """How long after its ``attempts``-th failed send a message is tried again (doubling,
    capped); None once it is given up."""
    if attempts >= settings.notify_max_attempts:
        return None
    seconds = settings.notify_retry_first_s * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.notify_retry_max_s))


def wants_win_back(p: Profile) -> bool:
    return Tag.DORMANT in p.tags


def month_period(today: date) -> str:
    return today.strftime("%Y-%m")
