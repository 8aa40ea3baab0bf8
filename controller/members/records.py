"""SQLite adapter for members and their stored-value ledger (rows <-> values).

Writes go through ``Store.execute`` inside the caller's transaction. The ledger append
checks the request id first (a retry returns the first entry), then the balance, then
appends the entry and moves the cached balance in the same transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from controller.members.model import Balance, EntryKind, LedgerEntry, Member, Tier
from controller.store.db import Store
from ktv.errors import Conflict, FailedPrecondition, NotFound

MEMBER_COLUMNS = (
    "member_id, phone, name, birthday, card_number, registered_at, principal_fen, bonus_fen,"
    " points, tier, pin_hash IS NOT NULL AS has_pin"
)
LEDGER_COLUMNS = (
    "entry_id, member_id, kind, principal_fen, bonus_fen, at, request_id, tender, reference, actor"
)


@dataclass(frozen=True)
class Mismatch:
    """A cached balance that disagrees with its ledger (``ktvctl members verify``)."""

    member_id: str
    cached: Balance
    ledger: Balance


def fingerprint(*parts: object) -> str:
    return hashlib.sha256("\0".join(str(p) for p in parts).encode()).hexdigest()


def member_of(row: dict[str, Any]) -> Member:
    return Member(
        member_id=row["member_id"],
        phone=row["phone"],
        name=row["name"],
        birthday=date.fromisoformat(row["birthday"]) if row["birthday"] else None,
        card_number=row["card_number"] or "",
        registered_at=datetime.fromisoformat(row["registered_at"]),
        balance=Balance(row["principal_fen"], row["bonus_fen"]),
        points=row["points"],
        tier=Tier(row["tier"]),
        has_pin=bool(row["has_pin"]),
    )


def entry_of(row: dict[str, Any]) -> LedgerEntry:
    return LedgerEntry(
        entry_id=row["entry_id"],
        member_id=row["member_id"],
        kind=EntryKind(row["kind"]),
        principal_fen=row["principal_fen"],
        bonus_fen=row["bonus_fen"],
        at=datetime.fromisoformat(row["at"]),
        request_id=row["request_id"],
        tender=row["tender"],
        reference=row["reference"],
        actor=row["actor"],
    )


class MemberRecords:
    def __init__(self, store: Store) -> None:
        self.store = store

    # --- members ----------------------------------------------------------------------------
    def insert(self, member: Member) -> None:
        self.store.execute(
            "INSERT INTO members (member_id, phone, name, birthday, birth_mmdd, card_number,"
            " registered_at, tier) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                member.member_id,
                member.phone,
                member.name,
                member.birthday.isoformat() if member.birthday else None,
                member.birthday.strftime("%m-%d") if member.birthday else None,
                member.card_number or None,
                member.registered_at.isoformat(),
                member.tier.value,
            ),
        )

    def get(self, member_id: str) -> Member:
        row = self.store.query_one(
            f"SELECT {MEMBER_COLUMNS} FROM members WHERE member_id = ?", (member_id,)
        )
        if row is None:
            raise NotFound(f"no member {member_id}", reason="UNKNOWN_MEMBER")
        return member_of(row)

    def by_phone(self, phone: str) -> Member | None:
        row = self.store.query_one(
            f"SELECT {MEMBER_COLUMNS} FROM members WHERE phone = ?", (phone,)
        )
        return member_of(row) if row else None

    def by_card(self, card: str) -> Member | None:
        row = self.store.query_one(
            f"SELECT {MEMBER_COLUMNS} FROM members WHERE card_number = ?", (card,)
        )
        return member_of(row) if row else None

    def by_name(self, name: str, limit: int = 20) -> list[Member]:
        """Exact name first, then names starting with it (an index range, not a scan)."""
        rows = self.store.query(
            f"SELECT {MEMBER_COLUMNS} FROM members WHERE name = ? ORDER BY member_id LIMIT ?",
            (name, limit),
        )
        if len(rows) < limit:
            rows += self.store.query(
                f"SELECT {MEMBER_COLUMNS} FROM members WHERE name > ? AND name < ?"
                " ORDER BY name, member_id LIMIT ?",
                (name, name + "\U0010ffff", limit - len(rows)),
            )
        return [member_of(r) for r in rows]

    def pin_of(self, member_id: str) -> tuple[bytes, bytes] | None:
        row = self.store.query_one(
            "SELECT pin_salt, pin_hash FROM members WHERE member_id = ?", (member_id,)
        )
        if row is None:
            raise NotFound(f"no member {member_id}", reason="UNKNOWN_MEMBER")
        if row["pin_hash"] is None:
            return None
        return row["pin_salt"], row["pin_hash"]

    def set_pin(self, member_id: str, salt: bytes, digest: bytes) -> None:
        self.store.execute(
            "UPDATE members SET pin_salt = ?, pin_hash = ? WHERE member_id = ?",
            (salt, digest, member_id),
        )

    def set_tier(self, member_id: str, tier: Tier) -> None:
        self.store.execute(
            "UPDATE members SET tier = ? WHERE member_id = ?", (tier.value, member_id)
        )

    # --- stored-value ledger ----------------------------------------------------------------
    def entry_by_request(self, request_id: str) -> tuple[LedgerEntry, str] | None:
        row = self.store.query_one(
            f"SELECT {LEDGER_COLUMNS}, fingerprint FROM member_ledger WHERE request_id = ?",
            (request_id,),
        )
        return (entry_of(row), row["fingerprint"]) if row else None

    def entry(self, entry_id: int) -> LedgerEntry:
        row = self.store.query_one(
            f"SELECT {LEDGER_COLUMNS} FROM member_ledger WHERE entry_id = ?", (entry_id,)
        )
        if row is None:
            raise NotFound(f"no ledger entry {entry_id}", reason="UNKNOWN_ENTRY")
        return entry_of(row)

    def append(
        self,
        member_id: str,
        kind: EntryKind,
        principal_fen: int,
        bonus_fen: int,
        *,
        at: datetime,
        request_id: str,
        request_fingerprint: str,
        tender: str = "",
        reference: str = "",
        actor: str = "",
    ) -> LedgerEntry:
        """Append one entry and move the balance (call inside a transaction)."""
        assert self.store.in_transaction
        balance = self.get(member_id).balance
        after = balance.plus(principal_fen, bonus_fen)
        if after.principal_fen < 0 or after.bonus_fen < 0:
            raise FailedPrecondition(
                f"member {member_id}: balance {balance.total_fen} fen is not enough",
                reason="INSUFFICIENT_BALANCE",
            )
        cursor = self.store.execute(
            "INSERT INTO member_ledger (member_id, kind, principal_fen, bonus_fen, at,"
            " request_id, fingerprint, tender, reference, actor)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                member_id,
                kind.value,
                principal_fen,
                bonus_fen,
                at.isoformat(),
                request_id,
                request_fingerprint,
                tender,
                reference,
                actor,
            ),
        )
        self.store.execute(
            "UPDATE members SET principal_fen = ?, bonus_fen = ? WHERE member_id = ?",
            (after.principal_fen, after.bonus_fen, member_id),
        )
        return self.entry(int(cursor.lastrowid or 0))

    def replay(self, request_id: str, request_fingerprint: str) -> LedgerEntry | None:
        """The entry a request already made (a retry), or None for a new request."""
        found = self.entry_by_request(request_id)
        if found is None:
            return None
        entry, stored = found
        if stored != request_fingerprint:
            raise Conflict(
                f"request id {request_id} was already used for a different request",
                reason="REQUEST_ID_REUSED",
            )
        return entry

    def history(
        self, member_id: str, limit: int = 200, before_entry_id: int | None = None
    ) -> list[LedgerEntry]:
        """Up to ``limit`` entries, newest first, older than ``before_entry_id`` if given."""
        before = (1 << 62) if before_entry_id is None else before_entry_id
        rows = self.store.query(
            f"SELECT {LEDGER_COLUMNS} FROM member_ledger WHERE member_id = ? AND entry_id < ?"
            " ORDER BY entry_id DESC LIMIT ?",
            (member_id, before, limit),
        )
        return [entry_of(r) for r in rows]

    def refunded_of(self, payment_entry_id: int) -> int:
        row = self.store.query_one(
            "SELECT COALESCE(SUM(principal_fen + bonus_fen), 0) AS s FROM member_ledger"
            " WHERE kind = ? AND reference = ?",
            (EntryKind.PAYMENT_REFUND.value, refund_reference(payment_entry_id)),
        )
        return int(row["s"]) if row else 0

    def verify(self) -> tuple[int, list[Mismatch]]:
        """Recompute every balance from the ledger; return (members checked, mismatches)."""
        rows = self.store.query(
            "SELECT m.member_id, m.principal_fen, m.bonus_fen,"
            " COALESCE(l.p, 0) AS lp, COALESCE(l.b, 0) AS lb FROM members m LEFT JOIN"
            " (SELECT member_id, SUM(principal_fen) AS p, SUM(bonus_fen) AS b"
            "  FROM member_ledger GROUP BY member_id) l ON l.member_id = m.member_id"
        )
        bad = [
            Mismatch(
                r["member_id"],
                Balance(r["principal_fen"], r["bonus_fen"]),
                Balance(r["lp"], r["lb"]),
            )
            for r in rows
            if (r["principal_fen"], r["bonus_fen"]) != (r["lp"], r["lb"])
        ]
        return len(rows), bad

    # --- sessions and visits ----------------------------------------------------------------
    def attach(self, tab_id: str, member_id: str, room_id: str, at: datetime) -> None:
        self.store.execute(
            "INSERT OR IGNORE INTO member_sessions (tab_id, member_id, room_id, at)"
            " VALUES (?, ?, ?, ?)",
            (tab_id, member_id, room_id, at.isoformat()),
        )

    def members_of_tab(self, tab_id: str) -> list[str]:
        rows = self.store.query(
            "SELECT member_id FROM member_sessions WHERE tab_id = ? ORDER BY at", (tab_id,)
        )
        return [r["member_id"] for r in rows]

    def uncredited_bills(self, since: datetime) -> list[str]:
        """Closed bills (following 并房 to the bill that was checked out) with a member
        attached since ``since`` who has no visit for that bill yet."""
        rows = self.store.query(
            "SELECT DISTINCT s.member_id, s.tab_id FROM member_sessions s"
            " JOIN billing_tabs t ON t.tab_id = s.tab_id WHERE s.at >= ? AND t.status != 'open'",
            (since.isoformat(),),
        )
        bills: list[str] = []
        for r in rows:
            tab_id = self._checked_out_tab(r["tab_id"])
            if tab_id is None or tab_id in bills:
                continue
            visited = self.store.query_one(
                "SELECT 1 FROM member_visits WHERE member_id = ? AND bill = ?",
                (r["member_id"], f"bills/{tab_id}"),
            )
            if visited is None:
                bills.append(tab_id)
        return bills

    def _checked_out_tab(self, tab_id: str) -> str | None:
        for _ in range(64):
            row = self.store.query_one(
                "SELECT status, merged_into FROM billing_tabs WHERE tab_id = ?", (tab_id,)
            )
            if row is None or row["status"] == "open":
                return None
            if row["status"] != "merged":
                return tab_id
            tab_id = row["merged_into"]
        return None

    def record_visit(self, member_id: str, bill: str, at: datetime, spend_fen: int) -> bool:
        cursor = self.store.execute(
            "INSERT OR IGNORE INTO member_visits (member_id, bill, at, spend_fen)"
            " VALUES (?, ?, ?, ?)",
            (member_id, bill, at.isoformat(), spend_fen),
        )
        return cursor.rowcount == 1

    def visits(self, member_id: str) -> list[tuple[datetime, int]]:
        rows = self.store.query(
            "SELECT at, spend_fen FROM member_visits WHERE member_id = ? ORDER BY at",
            (member_id,),
        )
        return [(datetime.fromisoformat(r["at"]), r["spend_fen"]) for r in rows]


def refund_reference(payment_entry_id: int) -> str:
    return f"refund-of:{payment_entry_id}"


def ids(rows: Sequence[Member]) -> list[str]:
    return [m.member_id for m in rows]
