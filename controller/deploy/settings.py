"""Deployment constants for the controller (unit in the name)."""

from __future__ import annotations

backup_keep_count = 14  # two weeks of nightly backups
backup_busy_timeout_ms = 10_000  # wait this long for a writer's lock before giving up
backup_file_prefix = "controller-"
backup_file_suffix = ".db"
