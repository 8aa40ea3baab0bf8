"""The controller's SQLite store: open (WAL), per-area numbered migrations, idempotency."""

from controller.store.db import Store, open_store
from controller.store.migrations import Migration, register_migrations

__all__ = ["Migration", "Store", "open_store", "register_migrations"]
