"""Migrations of the guests area: join codes per room session and the phones that joined
(both kept as SHA-256 of their secrets, never the secrets)."""

from __future__ import annotations

from controller.store.migrations import Migration, register_migrations

register_migrations(
    "guests",
    [
        Migration(
            1,
            "guest join codes and guest credentials",
            sql="""
            CREATE TABLE guest_codes (
                code_id TEXT PRIMARY KEY,
                code_hash TEXT NOT NULL UNIQUE,
                room_id TEXT NOT NULL,
                session TEXT NOT NULL,
                issued_at TEXT NOT NULL,
                replaced_at TEXT,
                revoked_at TEXT
            );
            CREATE INDEX guest_codes_by_room ON guest_codes (room_id, issued_at);
            CREATE TABLE guests (
                guest_id TEXT PRIMARY KEY,
                credential_hash TEXT NOT NULL UNIQUE,
                code_id TEXT NOT NULL REFERENCES guest_codes(code_id),
                room_id TEXT NOT NULL,
                session TEXT NOT NULL,
                nickname TEXT NOT NULL,
                joined_at TEXT NOT NULL,
                expire_time TEXT NOT NULL,
                revoked_at TEXT
            );
            CREATE INDEX guests_by_code ON guests (code_id);
            """,
        )
    ],
)
