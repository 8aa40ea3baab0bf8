"""Migrations of the club area: one-time sign-in codes (hashed), which member a guest's phone
signed in as (for that session), 我的歌单, and the draws with their winners."""

from __future__ import annotations

import controller.members.schema  # noqa: F401 - members' tables first (club_* refer to them)
from controller.store.migrations import Migration, register_migrations

CLUB = """
CREATE TABLE club_sign_in_codes (
    code_id INTEGER PRIMARY KEY AUTOINCREMENT,
    phone TEXT NOT NULL,
    member_id TEXT NOT NULL DEFAULT '',
    salt BLOB NOT NULL,
    code_hash BLOB NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    wrong_tries INTEGER NOT NULL DEFAULT 0,
    used_at TEXT
);
CREATE INDEX club_sign_in_codes_phone ON club_sign_in_codes (phone, created_at);
CREATE TABLE club_guest_members (
    guest_id TEXT PRIMARY KEY,
    member_id TEXT NOT NULL REFERENCES members (member_id),
    room_id TEXT NOT NULL,
    session TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE club_saved_songs (
    member_id TEXT NOT NULL REFERENCES members (member_id),
    song_id TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    artist TEXT NOT NULL DEFAULT '',
    saved_at TEXT NOT NULL,
    PRIMARY KEY (member_id, song_id)
);
CREATE INDEX club_saved_songs_at ON club_saved_songs (member_id, saved_at);
CREATE TABLE club_draws (
    draw_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    start_at TEXT NOT NULL,
    end_at TEXT NOT NULL,
    eligibility INTEGER NOT NULL,
    min_bill_fen INTEGER NOT NULL DEFAULT 0,
    tier TEXT NOT NULL DEFAULT 'regular',
    prize_kind INTEGER NOT NULL,
    prize_amount_fen INTEGER NOT NULL DEFAULT 0,
    prize_product TEXT NOT NULL DEFAULT '',
    coupon_days INTEGER NOT NULL DEFAULT 30,
    winner_count INTEGER NOT NULL CHECK (winner_count > 0),
    seed TEXT NOT NULL,
    seed_sha256 TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    drawn_at TEXT,
    drawn_by TEXT NOT NULL DEFAULT '',
    entrants TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX club_draws_created ON club_draws (created_at, draw_id);
CREATE TABLE club_draw_winners (
    draw_id TEXT NOT NULL REFERENCES club_draws (draw_id),
    rank INTEGER NOT NULL,
    entrant TEXT NOT NULL,
    room_id TEXT NOT NULL DEFAULT '',
    prize_reference TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (draw_id, rank),
    UNIQUE (draw_id, entrant)
);
"""

register_migrations(
    "club",
    [Migration(1, "sign-in codes, phones signed in as members, saved songs, draws", sql=CLUB)],
)
