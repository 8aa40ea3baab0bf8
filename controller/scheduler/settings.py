"""Scheduler timings (units in the names)."""

from __future__ import annotations

tick_interval_s = 30.0  # how often the scheduler looks for due jobs
stop_grace_s = 30.0  # on shutdown, how long a running job may take to finish
default_timezone = "Asia/Shanghai"  # when the venue config names none
