"""Migrations of the rooms area (rooms, room events, song plays, venue flags)."""

from __future__ import annotations

from controller.store.migrations import Migration, register_migrations

ROOMS_MIGRATIONS = [
    Migration(
        1,
        "configured rooms with their business state",
        sql="""
        CREATE TABLE rooms (
            room_id TEXT PRIMARY KEY,
            display_name TEXT NOT NULL,
            tier TEXT NOT NULL,
            state TEXT NOT NULL,
            state_since TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        """,
    ),
    Migration(
        2,
        "sessions, agent status and sensors on the board; room events; song plays",
        sql="""
        ALTER TABLE rooms ADD COLUMN session TEXT NOT NULL DEFAULT '';
        ALTER TABLE rooms ADD COLUMN session_end TEXT;
        ALTER TABLE rooms ADD COLUMN running_total_fen INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE rooms ADD COLUMN agent_online INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE rooms ADD COLUMN agent_last_seen TEXT;
        ALTER TABLE rooms ADD COLUMN agent_version TEXT NOT NULL DEFAULT '';
        ALTER TABLE rooms ADD COLUMN agent_peer TEXT NOT NULL DEFAULT '';
        ALTER TABLE rooms ADD COLUMN agent_status_since TEXT;
        ALTER TABLE rooms ADD COLUMN door_open INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE rooms ADD COLUMN door_since TEXT;
        ALTER TABLE rooms ADD COLUMN occupied INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE rooms ADD COLUMN presence_since TEXT;
        ALTER TABLE rooms ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
        CREATE TABLE room_events (
            event_id TEXT PRIMARY KEY,
            room_id TEXT NOT NULL REFERENCES rooms(room_id),
            kind TEXT NOT NULL,
            occur_time TEXT NOT NULL,
            received_at TEXT NOT NULL,
            payload TEXT NOT NULL
        );
        CREATE INDEX room_events_by_room ON room_events (room_id, occur_time);
        CREATE TABLE song_plays (
            event_id TEXT PRIMARY KEY REFERENCES room_events(event_id),
            room_id TEXT NOT NULL,
            song_id TEXT NOT NULL,
            title TEXT NOT NULL,
            session TEXT NOT NULL,
            start_time TEXT,
            outcome TEXT NOT NULL,
            played_ms INTEGER NOT NULL,
            error TEXT NOT NULL,
            occur_time TEXT NOT NULL
        );
        CREATE INDEX song_plays_by_song ON song_plays (song_id, occur_time);
        CREATE TABLE venue_flags (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        """,
    ),
]

ROOMS_MIGRATIONS.append(
    Migration(
        3,
        "audit trail of business-state changes (who, why)",
        sql="""
        CREATE TABLE room_state_changes (
            change_id INTEGER PRIMARY KEY AUTOINCREMENT,
            room_id TEXT NOT NULL REFERENCES rooms(room_id),
            from_state TEXT NOT NULL,
            to_state TEXT NOT NULL,
            reason TEXT NOT NULL,
            actor TEXT NOT NULL,
            changed_at TEXT NOT NULL
        );
        CREATE INDEX room_state_changes_by_room ON room_state_changes (room_id, changed_at);
        """,
    )
)

ROOMS_MIGRATIONS.append(
    Migration(
        4,
        "open service call per room (SERVICE_CALLED alert until acknowledged)",
        sql="""
        ALTER TABLE rooms ADD COLUMN service_kind TEXT;
        ALTER TABLE rooms ADD COLUMN service_note TEXT NOT NULL DEFAULT '';
        ALTER TABLE rooms ADD COLUMN service_since TEXT;
        """,
    )
)

ROOMS_MIGRATIONS.append(
    Migration(
        5,
        "what the room does after its session's end (the plan's continue_hourly or stop)",
        sql="""
        ALTER TABLE rooms ADD COLUMN session_continues INTEGER;
        """,
    )
)

ROOMS_MIGRATIONS.append(
    Migration(
        6,
        "pins (real/mock), power as the agent reports it, the desk's power mode, health badge",
        sql="""
        ALTER TABLE rooms ADD COLUMN pins TEXT NOT NULL DEFAULT '';
        ALTER TABLE rooms ADD COLUMN power_on INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE rooms ADD COLUMN power_scene TEXT NOT NULL DEFAULT '';
        ALTER TABLE rooms ADD COLUMN power_reason TEXT NOT NULL DEFAULT '';
        ALTER TABLE rooms ADD COLUMN power_since TEXT;
        ALTER TABLE rooms ADD COLUMN power_load_watts INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE rooms ADD COLUMN power_mode TEXT NOT NULL DEFAULT 'AUTO';
        ALTER TABLE rooms ADD COLUMN health TEXT NOT NULL DEFAULT '';
        CREATE INDEX room_events_by_kind ON room_events (kind, occur_time);
        """,
    )
)

ROOMS_MIGRATIONS.append(
    Migration(
        7,
        "guests on the open session, and the room's place on the floor plan",
        sql="""
        ALTER TABLE rooms ADD COLUMN guest_count INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE rooms ADD COLUMN layout_floor TEXT NOT NULL DEFAULT '1F';
        ALTER TABLE rooms ADD COLUMN layout_column INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE rooms ADD COLUMN layout_row INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE rooms ADD COLUMN layout_width INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE rooms ADD COLUMN layout_height INTEGER NOT NULL DEFAULT 1;
        """,
    )
)

ROOMS_MIGRATIONS.append(
    Migration(
        8,
        "room locks (锁房): who, why, since, until",
        sql="""
        ALTER TABLE rooms ADD COLUMN lock_by TEXT;
        ALTER TABLE rooms ADD COLUMN lock_reason TEXT NOT NULL DEFAULT '';
        ALTER TABLE rooms ADD COLUMN lock_since TEXT;
        ALTER TABLE rooms ADD COLUMN lock_until TEXT;
        """,
    )
)

register_migrations("rooms", ROOMS_MIGRATIONS)
