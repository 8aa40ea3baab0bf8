"""Loyalty rows in the controller store (points ledger, coupons): the SQL of
:class:`~controller.members.loyalty.LoyaltyDesk`, as :class:`MemberRecords` is the SQL of the
member desk. Rows become dataclasses here; callers own the transactions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from controller.members.coupons import Coupon, CouponKind, CouponSpec
from controller.members.points import PointsEntry
from controller.store.db import Store


class LoyaltyRecords:
    def __init__(self, store: Store) -> None:
        self.store = store

    # --- points -----------------------------------------------------------------------------
    def points_of_request(self, request_id: str) -> int | None:
        row = self.store.query_one(
            "SELECT points FROM member_points WHERE request_id = ?", (request_id,)
        )
        return None if row is None else int(row["points"])

    def points_entries(self, member_id: str) -> list[PointsEntry]:
        rows = self.store.query(
            "SELECT points, expires_on FROM member_points WHERE member_id = ?", (member_id,)
        )
        return [
            PointsEntry(
                r["points"],
                datetime.fromisoformat(r["expires_on"]).date() if r["expires_on"] else None,
            )
            for r in rows
        ]

    def members_with_points_due(self, today: date) -> list[str]:
        """Members whose points expiring by ``today`` exceed what they have spent: one
        aggregate scan on a read-only connection (never holds the store's lock)."""
        rows = self.store.query_read_only(
            "SELECT member_id FROM member_points GROUP BY member_id HAVING"
            " SUM(CASE WHEN points > 0 AND expires_on <= ? THEN points ELSE 0 END)"
            " > -SUM(CASE WHEN points < 0 THEN points ELSE 0 END)",
            (today.isoformat(),),
        )
        return [r["member_id"] for r in rows]

    def points_history(self, member_id: str) -> list[dict[str, Any]]:
        return self.store.query(
            "SELECT kind, points, at, expires_on, reference FROM member_points"
            " WHERE member_id = ? ORDER BY entry_id DESC",
            (member_id,),
        )

    def add_points(
        self,
        member_id: str,
        kind: str,
        points: int,
        at: datetime,
        request_id: str,
        reference: str,
        expires_on: date | None,
    ) -> None:
        """One points ledger row and the member's balance with it (call in a transaction)."""
        self.store.execute(
            "INSERT INTO member_points (member_id, kind, points, at, expires_on, request_id,"
            " reference) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                member_id,
                kind,
                points,
                at.isoformat(),
                expires_on.isoformat() if expires_on else None,
                request_id,
                reference,
            ),
        )
        self.store.execute(
            "UPDATE members SET points = points + ? WHERE member_id = ?", (points, member_id)
        )

    # --- coupons ----------------------------------------------------------------------------
    def insert_coupon(self, coupon: Coupon) -> None:
        spec = coupon.spec
        self.store.execute(
            "INSERT INTO coupons (code, member_id, campaign, kind, value, min_spend_fen,"
            " categories, valid_from, valid_until, stackable, issued_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                coupon.code,
                coupon.member_id,
                spec.campaign,
                spec.kind.value,
                spec.value,
                spec.min_spend_fen,
                ",".join(spec.categories),
                spec.valid_from.isoformat(),
                spec.valid_until.isoformat(),
                int(spec.stackable),
                coupon.issued_at.isoformat(),
            ),
        )

    def coupons(
        self,
        member_id: str,
        usable_at: datetime | None = None,
        *,
        after: tuple[str, str] | None = None,
        limit: int = -1,
    ) -> list[Coupon]:
        """A member's coupons, oldest issued first; with ``usable_at``, only those unused and
        valid then; ``after`` (issued_at, code) of the previous page, at most ``limit``."""
        sql = "SELECT * FROM coupons WHERE member_id = ?"
        params: list[Any] = [member_id]
        if usable_at is not None:
            sql += " AND used_at IS NULL AND valid_until > ?"
            params.append(usable_at.isoformat())
        if after is not None:
            sql += " AND (issued_at, code) > (?, ?)"
            params.extend(after)
        sql += " ORDER BY issued_at, code LIMIT ?"
        params.append(limit)
        return [_coupon(r) for r in self.store.query(sql, tuple(params))]

    def coupon(self, code: str) -> Coupon | None:
        row = self.store.query_one("SELECT * FROM coupons WHERE code = ?", (code,))
        return None if row is None else _coupon(row)

    def coupon_codes_used_by(self, request_id: str) -> set[str]:
        rows = self.store.query("SELECT code FROM coupons WHERE used_request = ?", (request_id,))
        return {r["code"] for r in rows}

    def use_coupon(self, code: str, at: datetime, bill: str, request_id: str) -> bool:
        """Marks an unused coupon used; False if it was used already. The conditional UPDATE
        is the lock: two desks racing for one coupon get one use."""
        cursor = self.store.execute(
            "UPDATE coupons SET used_at = ?, used_bill = ?, used_request = ?"
            " WHERE code = ? AND used_at IS NULL",
            (at.isoformat(), bill, request_id, code),
        )
        return cursor.rowcount == 1


def _coupon(r: dict[str, Any]) -> Coupon:
    spec = CouponSpec(
        kind=CouponKind(r["kind"]),
        value=r["value"],
        valid_from=datetime.fromisoformat(r["valid_from"]),
        valid_until=datetime.fromisoformat(r["valid_until"]),
        min_spend_fen=r["min_spend_fen"],
        categories=tuple(c for c in r["categories"].split(",") if c),
        stackable=bool(r["stackable"]),
        campaign=r["campaign"],
    )
    return Coupon(
        r["code"],
        r["member_id"] or "",
        spec,
        datetime.fromisoformat(r["issued_at"]),
        datetime.fromisoformat(r["used_at"]) if r["used_at"] else None,
        r["used_bill"],
    )
