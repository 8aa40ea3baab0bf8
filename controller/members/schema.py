"""Membership tables (migration area ``members``).

Ledgers (stored value, points) are append-only: triggers refuse UPDATE and DELETE. The
cached balances on ``members`` carry CHECK constraints, so a bug can never store a negative
balance: the transaction fails instead.
"""

from __future__ import annotations

import logging
import unicodedata
from typing import TYPE_CHECKING

from controller.members.model import card_number, phone_digits
from controller.store.migrations import Migration, register_migrations

if TYPE_CHECKING:
    from controller.store.db import Store

log = logging.getLogger(__name__)


def _append_only(table: str) -> str:
    return f"""
    CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
    BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;
    CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
    BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;
    """


MEMBERS = """
CREATE TABLE members (
    member_id TEXT PRIMARY KEY,
    phone TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    birthday TEXT,
    birth_mmdd TEXT,
    card_number TEXT UNIQUE,
    registered_at TEXT NOT NULL,
    pin_salt BLOB,
    pin_hash BLOB,
    principal_fen INTEGER NOT NULL DEFAULT 0 CHECK (principal_fen >= 0),
    bonus_fen INTEGER NOT NULL DEFAULT 0 CHECK (bonus_fen >= 0),
    points INTEGER NOT NULL DEFAULT 0 CHECK (points >= 0),
    tier TEXT NOT NULL DEFAULT 'regular'
);
CREATE INDEX members_name ON members (name, member_id);
CREATE INDEX members_birth ON members (birth_mmdd);
CREATE TABLE member_ledger (
    entry_id INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id TEXT NOT NULL REFERENCES members (member_id),
    kind TEXT NOT NULL,
    principal_fen INTEGER NOT NULL,
    bonus_fen INTEGER NOT NULL,
    at TEXT NOT NULL,
    request_id TEXT NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL,
    tender TEXT NOT NULL DEFAULT '',
    reference TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL DEFAULT ''
);
CREATE INDEX member_ledger_member ON member_ledger (member_id, entry_id);
CREATE INDEX member_ledger_sums ON member_ledger (member_id, principal_fen, bonus_fen);
CREATE TABLE member_sessions (
    tab_id TEXT NOT NULL,
    member_id TEXT NOT NULL REFERENCES members (member_id),
    room_id TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (tab_id, member_id)
);
CREATE TABLE member_visits (
    member_id TEXT NOT NULL REFERENCES members (member_id),
    bill TEXT NOT NULL,
    at TEXT NOT NULL,
    spend_fen INTEGER NOT NULL CHECK (spend_fen >= 0),
    PRIMARY KEY (member_id, bill)
);
CREATE INDEX member_visits_at ON member_visits (member_id, at, spend_fen);
""" + _append_only("member_ledger")

POINTS = """
CREATE TABLE member_points (
    entry_id INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id TEXT NOT NULL REFERENCES members (member_id),
    kind TEXT NOT NULL,
    points INTEGER NOT NULL,
    at TEXT NOT NULL,
    expires_on TEXT,
    request_id TEXT NOT NULL UNIQUE,
    reference TEXT NOT NULL DEFAULT ''
);
CREATE INDEX member_points_member ON member_points (member_id, entry_id);
""" + _append_only("member_points")

COUPONS = """
CREATE TABLE coupons (
    code TEXT PRIMARY KEY,
    member_id TEXT REFERENCES members (member_id),
    campaign TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    value INTEGER NOT NULL,
    min_spend_fen INTEGER NOT NULL DEFAULT 0,
    categories TEXT NOT NULL DEFAULT '',
    valid_from TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    stackable INTEGER NOT NULL DEFAULT 0,
    issued_at TEXT NOT NULL,
    used_at TEXT,
    used_bill TEXT NOT NULL DEFAULT '',
    used_request TEXT NOT NULL DEFAULT ''
);
CREATE INDEX coupons_member ON coupons (member_id);
"""

CAMPAIGNS = """
CREATE TABLE campaign_runs (
    campaign TEXT NOT NULL,
    member_id TEXT NOT NULL REFERENCES members (member_id),
    period TEXT NOT NULL,
    coupon_code TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,
    PRIMARY KEY (campaign, member_id, period)
);
CREATE TABLE notifications (
    notification_id INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id TEXT NOT NULL REFERENCES members (member_id),
    template TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    channel TEXT NOT NULL DEFAULT ''
);
CREATE INDEX notifications_unsent ON notifications (sent_at, notification_id);
"""

PIN_FAILURES = """
CREATE TABLE member_pin_failures (
    member_id TEXT PRIMARY KEY REFERENCES members (member_id),
    failures INTEGER NOT NULL CHECK (failures > 0),
    locked_until TEXT
);
"""

REWARDS = """
CREATE TABLE member_rewards (
    sku TEXT PRIMARY KEY,
    points INTEGER NOT NULL CHECK (points > 0)
);
"""

OUTBOX_RETRY = """
ALTER TABLE notifications ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN next_attempt_at TEXT;
ALTER TABLE notifications ADD COLUMN gave_up_at TEXT;
ALTER TABLE notifications ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
"""

register_migrations(
    "members",
    [
        Migration(1, "members, stored-value ledger, sessions, visits", sql=MEMBERS),
        Migration(2, "points ledger", sql=POINTS),
        Migration(3, "coupons", sql=COUPONS),
        Migration(4, "campaign runs and the notifications outbox", sql=CAMPAIGNS),
        Migration(5, "wrong member PINs, kept across restarts", sql=PIN_FAILURES),
        Migration(6, "points prices of redeemable products", sql=REWARDS),
        Migration(7, "notification retries with backoff", sql=OUTBOX_RETRY),
        Migration(
            8,
            "member sessions by time (the credit sweep)",
            sql="CREATE INDEX member_sessions_at ON member_sessions (at, tab_id);",
        ),
    ],
)


def _ascii_phone(phone: str) -> str:
    """A stored phone with every decimal digit made ASCII (full-width, Arabic-Indic...) and
    separators dropped: the number its owner meant, as :func:`model.phone_digits` stores it."""
    digits = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in phone)
    return phone_digits(digits) or phone


def _normalise_phones_and_cards(store: Store) -> None:
    """Phones and card numbers stored before they were normalised (``\\d`` let full-width and
    Arabic-Indic digits in: ``13８00138000`` became a second member) are rewritten as they are
    now stored and looked up. A row whose normalised value another member already has is left
    as it was and logged: two members are never merged silently (``ktvctl member show`` finds
    both by member id; the desk decides)."""
    rows = store.query("SELECT member_id, phone, card_number FROM members ORDER BY registered_at")
    for row in rows:
        for column, value in (
            ("phone", _ascii_phone(row["phone"])),
            ("card_number", card_number(row["card_number"] or "")),
        ):
            old = row[column]
            if not old or value == old:
                continue
            taken = store.query_one(f"SELECT member_id FROM members WHERE {column} = ?", (value,))
            if taken is not None:
                log.warning(
                    "member %s: %s %r is %r once normalised, which member %s already has;"
                    " left as it was (not merged)",
                    row["member_id"],
                    column,
                    old,
                    value,
                    taken["member_id"],
                )
                continue
            store.execute(
                f"UPDATE members SET {column} = ? WHERE member_id = ?", (value, row["member_id"])
            )


# Its own area (not members 9), so parallel work adding members migrations cannot collide on
# numbers; "members_normalised" sorts after "members", whose tables it rewrites.
register_migrations(
    "members_normalised",
    [
        Migration(
            1,
            "phones and card numbers as ASCII (duplicates logged, never merged)",
            apply=_normalise_phones_and_cards,
        )
    ],
)
