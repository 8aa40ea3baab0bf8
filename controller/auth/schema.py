"""Migrations of the auth area (credentials as hashed tokens, staff, enrollment codes) and of
the ``pin_attempts`` area (wrong-PIN counts)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from controller.store.migrations import Migration, register_migrations

if TYPE_CHECKING:
    from controller.store.db import Store

register_migrations(
    "auth",
    [
        Migration(
            1,
            "credentials, staff, enrollment codes",
            sql="""
            CREATE TABLE credentials (
                credential_id TEXT PRIMARY KEY,
                token_hash TEXT NOT NULL UNIQUE,
                role INTEGER NOT NULL,
                room_id TEXT NOT NULL DEFAULT '',
                staff_id TEXT NOT NULL DEFAULT '',
                label TEXT NOT NULL DEFAULT '',
                created_at TEXT NOT NULL,
                expire_time TEXT,
                revoked_at TEXT
            );
            CREATE TABLE staff (
                staff_id TEXT PRIMARY KEY,
                display_name TEXT NOT NULL,
                role INTEGER NOT NULL,
                pin_salt BLOB NOT NULL,
                pin_hash BLOB NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE TABLE enrollment_codes (
                code_hash TEXT PRIMARY KEY,
                room_id TEXT NOT NULL,
                created_at TEXT NOT NULL,
                expire_time TEXT NOT NULL,
                used_at TEXT
            );
            """,
        )
    ],
)


def _pin_attempts(store: Store) -> None:
    """One wrong-PIN counter for staff, members and strangers' phones
    (controller.auth.pin_attempts); members' counts in progress (``member_pin_failures``,
    members area 5) move over."""
    store.execute(
        "CREATE TABLE pin_attempts ("
        " subject TEXT PRIMARY KEY,"  # staff:ID, member:ID or phone:DIGITS
        " failures INTEGER NOT NULL CHECK (failures > 0),"
        " locked_until TEXT,"
        " updated_at TEXT NOT NULL)"
    )
    store.execute("CREATE INDEX pin_attempts_updated ON pin_attempts (updated_at)")
    old = store.query_one(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'member_pin_failures'"
    )
    if old is not None:
        store.execute(
            "INSERT INTO pin_attempts (subject, failures, locked_until, updated_at)"
            " SELECT 'member:' || member_id, failures, locked_until, ? FROM member_pin_failures",
            (datetime.now(UTC).isoformat(),),
        )


# Its own area (not auth 2), so parallel work adding auth migrations cannot collide on numbers;
# it sorts after "members", so an upgraded database has member_pin_failures to copy.
register_migrations(
    "pin_attempts",
    [Migration(1, "wrong PINs of staff, members and unknown phones, kept", apply=_pin_attempts)],
)
