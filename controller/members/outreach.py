"""Running campaigns (birthday gifts, dormant win-back, events to a tag) and dispatching the
notifications outbox. A run records (campaign, member, period) first; a member already
recorded for the period is skipped, so running twice issues nothing twice."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from controller.members import settings
from controller.members.campaigns import (
    Notification,
    Notifier,
    birthday_mmdd_window,
    month_period,
    retry_after,
    upcoming_birthday,
)
from controller.members.coupons import CouponKind, CouponSpec
from controller.members.loyalty import LoyaltyDesk
from controller.members.tiers import Profile, Tag, profile_of

T = TypeVar("T")


@dataclass(frozen=True)
class OutboxCounts:
    waiting: int  # not sent yet (due now or waiting for a retry)
    given_up: int


@dataclass(frozen=True)
class CampaignResult:
    campaign: str
    period: str
    reached: int  # members newly given the campaign this run
    skipped: int  # members who already had it for the period


@dataclass
class Outreach:
    loyalty: LoyaltyDesk

    @property
    def store(self):  # type: ignore[no-untyped-def]
        return self.loyalty.store

    # --- tags and RFM -----------------------------------------------------------------------
    def profiles(self, member_ids: Sequence[str] | None = None) -> Iterator[tuple[str, Profile]]:
        """Every member's (or the given members') tags and RFM score, from one query."""
        now = self.loyalty.now()
        only = ""
        params: list[str] = []
        if member_ids is not None:
            only = f" WHERE m.member_id IN ({','.join('?' * len(member_ids))})"
            params = list(member_ids)
        d90 = (now - timedelta(days=90)).isoformat()
        d365 = (now - timedelta(days=365)).isoformat()
        stamp = now.isoformat()
        month = f"{now.month:02d}"
        cursor = self.store.conn.execute(
            "SELECT m.member_id, julianday(?) - julianday(m.registered_at),"
            " julianday(?) - julianday(COALESCE(v.last_visit, m.registered_at)),"
            " v.last_visit IS NOT NULL, substr(m.birth_mmdd, 1, 2) = ?,"
            " v.n90, v.n365, v.s365"
            " FROM members m LEFT JOIN (SELECT member_id, MAX(at) AS last_visit,"
            "  SUM(at > ?) AS n90, SUM(at > ?) AS n365, SUM(CASE WHEN at > ? THEN spend_fen"
            "  ELSE 0 END) AS s365 FROM member_visits GROUP BY member_id) v"
            " ON v.member_id = m.member_id" + only,
            (stamp, stamp, month, d90, d365, d365, *params),
        )
        for mid, member_days, idle_days, visited, bday, n90, n365, s365 in cursor:
            yield (
                mid,
                profile_of(
                    member_days=member_days,
                    idle_days=idle_days,
                    has_visited=bool(visited),
                    birthday_this_month=bool(bday),
                    visits_90d=n90 or 0,
                    visits_12m=n365 or 0,
                    spend_12m_fen=s365 or 0,
                ),
            )

    def profiles_of(self, member_ids: Sequence[str]) -> list[tuple[str, Profile]]:
        return list(self.profiles(member_ids))

    def tagged(self, tag: Tag) -> list[str]:
        return [m for m, p in self.profiles() if tag in p.tags]

    # --- campaigns --------------------------------------------------------------------------
    def run_birthday(
        self, *, lead_days: int = settings.birthday_lead_days, gift_fen: int = 8_800
    ) -> CampaignResult:
        """Birthday gift: a coupon issued ``lead_days`` before, valid until a week after."""
        today = self.loyalty.now().date()
        window = birthday_mmdd_window(today, lead_days)
        marks = ",".join("?" * len(window))
        rows = self.store.query(
            f"SELECT member_id, birthday FROM members WHERE birth_mmdd IN ({marks})", window
        )
        reached = skipped = 0
        for chunk in _batches(rows):
            with self.store.transaction():  # one commit per batch of members
                for r in chunk:
                    day = upcoming_birthday(date.fromisoformat(r["birthday"]), today, lead_days)
                    if day is None:
                        continue
                    start = datetime.combine(today, time(), tzinfo=self.loyalty.now().tzinfo)
                    spec = CouponSpec(
                        CouponKind.FIXED,
                        gift_fen,
                        start,
                        datetime.combine(day + timedelta(days=8), time(), tzinfo=start.tzinfo),
                        campaign="birthday",
                    )
                    if self._give(r["member_id"], "birthday", str(day.year), spec, "birthday_gift"):
                        reached += 1
                    else:
                        skipped += 1
        return CampaignResult("birthday", str(today.year), reached, skipped)

    def run_win_back(self, *, gift_fen: int = 5_000) -> CampaignResult:
        return self.run_for_tag(Tag.DORMANT, "win_back", gift_fen, period="")

    def run_for_tag(
        self, tag: Tag, campaign: str, gift_fen: int, *, period: str = "", days_valid: int = 30
    ) -> CampaignResult:
        """A limited-time event (or win-back) to every member with ``tag``: once per period."""
        now = self.loyalty.now()
        period = period or month_period(now.date())
        reached = skipped = 0
        template = "win_back" if tag is Tag.DORMANT else "event"
        for chunk in _batches(self.tagged(tag)):
            with self.store.transaction():  # one commit per batch of members
                for member_id in chunk:
                    spec = CouponSpec(
                        CouponKind.FIXED,
                        gift_fen,
                        now,
                        now + timedelta(days=days_valid),
                        campaign=campaign,
                    )
                    if self._give(member_id, campaign, period, spec, template):
                        reached += 1
                    else:
                        skipped += 1
        return CampaignResult(campaign, period, reached, skipped)

    def _give(
        self, member_id: str, campaign: str, period: str, spec: CouponSpec, template: str
    ) -> bool:
        now = self.loyalty.now()
        with self.store.transaction():
            cursor = self.store.execute(
                "INSERT OR IGNORE INTO campaign_runs (campaign, member_id, period, at)"
                " VALUES (?, ?, ?, ?)",
                (campaign, member_id, period, now.isoformat()),
            )
            if cursor.rowcount != 1:
                return False
            coupon = self.loyalty.issue_coupon(member_id, spec)
            self.store.execute(
                "UPDATE campaign_runs SET coupon_code = ? WHERE campaign = ? AND member_id = ?"
                " AND period = ?",
                (coupon.code, campaign, member_id, period),
            )
            payload = {
                "coupon": coupon.code,
                "amount_yuan": f"{spec.value / 100:.2f}",
                "valid_until": spec.valid_until.date().isoformat(),
            }
            self.store.execute(
                "INSERT INTO notifications (member_id, template, payload, created_at)"
                " VALUES (?, ?, ?, ?)",
                (member_id, template, json.dumps(payload, ensure_ascii=False), now.isoformat()),
            )
            return True

    # --- the outbox -------------------------------------------------------------------------
    def pending(self) -> list[Notification]:
        """Messages to send now: not sent, not given up, and past their retry time."""
        rows = self.store.query(
            "SELECT n.*, m.phone FROM notifications n JOIN members m USING (member_id)"
            " WHERE n.sent_at IS NULL AND n.gave_up_at IS NULL"
            " AND (n.next_attempt_at IS NULL OR n.next_attempt_at <= ?)"
            " ORDER BY n.notification_id",
            (self.loyalty.now().isoformat(),),
        )
        return [
            Notification(
                r["notification_id"],
                r["member_id"],
                r["phone"],
                r["template"],
                json.loads(r["payload"]),
                datetime.fromisoformat(r["created_at"]),
            )
            for r in rows
        ]

    def dispatch(self, notifier: Notifier) -> int:
        """Send what is due; a message that fails is retried later with backoff (and given up
        after ``notify_max_attempts``); one failure never holds back the rest."""
        sent = 0
        for note in self.pending():
            try:
                notifier.send(note)
            except Exception as error:  # a channel failure must not lose the rest
                self._failed(note.notification_id, f"{type(error).__name__}: {error}")
                continue
            with self.store.transaction():
                self.store.execute(
                    "UPDATE notifications SET sent_at = ?, channel = ?, attempts = attempts + 1"
                    " WHERE notification_id = ?",
                    (self.loyalty.now().isoformat(), notifier.channel, note.notification_id),
                )
            sent += 1
        return sent

    def _failed(self, notification_id: int, error: str) -> None:
        now = self.loyalty.now()
        with self.store.transaction():
            row = self.store.query_one(
                "SELECT attempts FROM notifications WHERE notification_id = ?", (notification_id,)
            )
            attempts = (row["attempts"] if row else 0) + 1
            wait = retry_after(attempts)
            self.store.execute(
                "UPDATE notifications SET attempts = ?, last_error = ?, next_attempt_at = ?,"
                " gave_up_at = ? WHERE notification_id = ?",
                (
                    attempts,
                    error[:300],
                    (now + wait).isoformat() if wait else None,
                    None if wait else now.isoformat(),
                    notification_id,
                ),
            )

    def outbox_counts(self) -> OutboxCounts:
        row = self.store.query_one(
            "SELECT SUM(sent_at IS NULL AND gave_up_at IS NULL) AS waiting,"
            " SUM(gave_up_at IS NOT NULL) AS given_up FROM notifications"
        )
        return (
            OutboxCounts(int(row["waiting"] or 0), int(row["given_up"] or 0))
            if row
            else (OutboxCounts(0, 0))
        )


def _batches(items: Sequence[T]) -> Iterator[Sequence[T]]:
    size = settings.job_batch_members
    for start in range(0, len(items), size):
        yield items[start : start + size]
