"""Migrations of the auth area: credentials (hashed tokens), staff, enrollment codes."""

from __future__ import annotations

from controller.store.migrations import Migration, register_migrations

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
