"""Numbered schema migrations, one independent list per area.

Each area (rooms, auth, events, billing, members...) registers its own migrations numbered
1, 2, 3... in code; ``schema_migrations(area, version, applied_at)`` records what a database
has. Opening a database applies what is missing, each migration in its own transaction, so an
older database upgrades in place and keeps its data. Parallel work never collides on numbers
because numbers are per area.

A new area registers at import time::

    register_migrations("billing", [
        Migration(1, "sessions and bills", sql="CREATE TABLE sessions (...);"),
        Migration(2, "tips", apply=lambda store: ...),
    ])

and, if it is not one of the built-in areas, its module must be imported before
``open_store`` (the server imports every service module it composes).
"""

from __future__ import annotations

import importlib
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ktv.errors import FailedPrecondition

if TYPE_CHECKING:
    from controller.store.db import Store

# Modules that register the controller's own areas; others register when imported.
BUILTIN_AREA_MODULES = (
    "controller.rooms.schema",
    "controller.auth.schema",
    "controller.auth.certificate",
    "controller.store.idempotency",
)


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    sql: str = ""
    apply: Callable[[Store], None] | None = None


_REGISTRY: dict[str, tuple[Migration, ...]] = {}


def register_migrations(area: str, migrations: Sequence[Migration]) -> None:
    versions = [m.version for m in migrations]
    if versions != list(range(1, len(versions) + 1)):
        raise ValueError(f"migrations of area {area!r} must be numbered 1..n, got {versions}")
    for m in migrations:
        if bool(m.sql) == (m.apply is not None):
            raise ValueError(f"{area} migration {m.version}: give exactly one of sql/apply")
    _REGISTRY[area] = tuple(migrations)


def registered_areas() -> dict[str, tuple[Migration, ...]]:
    return dict(_REGISTRY)


def load_builtin_areas() -> None:
    for module in BUILTIN_AREA_MODULES:
        importlib.import_module(module)


def applied_versions(store: Store) -> dict[str, int]:
    _ensure_table(store)
    rows = store.query("SELECT area, MAX(version) AS v FROM schema_migrations GROUP BY area")
    return {r["area"]: r["v"] for r in rows}


def apply_migrations(store: Store, *, up_to: dict[str, int] | None = None) -> list[str]:
    """Apply missing migrations (``up_to`` caps versions per area, for tests of old files).

    Returns ``["rooms:1", ...]`` for what was applied.
    """
    _ensure_table(store)
    have = applied_versions(store)
    done: list[str] = []
    for area, migrations in sorted(_REGISTRY.items()):
        current = have.get(area, 0)
        if current > len(migrations):
            raise FailedPrecondition(
                f"database area {area!r} is at version {current}, newer than this controller "
                f"knows ({len(migrations)}); upgrade the controller",
                reason="SCHEMA_TOO_NEW",
            )
        limit = len(migrations) if up_to is None else up_to.get(area, len(migrations))
        for m in migrations[current:limit]:
            with store.transaction():
                if m.sql:
                    for statement in _statements(m.sql):
                        store.execute(statement)
                else:
                    assert m.apply is not None
                    m.apply(store)
                store.execute(
                    "INSERT INTO schema_migrations (area, version, description, applied_at) "
                    "VALUES (?, ?, ?, ?)",
                    (area, m.version, m.description, datetime.now(UTC).isoformat()),
                )
            done.append(f"{area}:{m.version}")
    return done


def _ensure_table(store: Store) -> None:
    store.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " area TEXT NOT NULL, version INTEGER NOT NULL, description TEXT NOT NULL,"
        " applied_at TEXT NOT NULL, PRIMARY KEY (area, version))"
    )


def _statements(sql: str) -> list[str]:
    """Split a script into complete statements (sqlite3.complete_statement knows triggers)."""
    statements: list[str] = []
    buffer = ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
