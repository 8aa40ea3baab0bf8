"""Controller timing and limits, in one place, each with its unit in the name."""

from __future__ import annotations

from dataclasses import dataclass

# Liveness of room agents.
offline_after_s: float = 10.0  # no heartbeat/message for this long -> agent offline
liveness_check_interval_s: float = 0.5  # how often the board looks for silent agents
default_heartbeat_interval_s: float = 1.0  # what agents are expected to send

# Occupancy alerts.
nobody_present_after_s: float = 15 * 60.0  # open session with nobody present this long

# Auth.
staff_token_ttl_s: float = 12 * 3600.0  # one shift
enrollment_code_ttl_s: float = 30 * 60.0
login_max_failures: int = 5  # wrong PINs in a row before a staff id is locked
login_lockout_s: float = 60.0
pin_attempts_forget_after_s: float = 24 * 3600.0  # unlocked wrong-PIN counts this old are dropped
scrypt_n: int = 2**14  # hashlib.scrypt cost; r=8, p=1 (~16 MB, ~50 ms)

# Server.
shutdown_drain_s: float = 0.5  # health NOT_SERVING this long before the listener closes
shutdown_grace_s: float = 10.0  # in-flight calls get this long to finish
shutdown_stream_grace_s: float = 1.0  # then remaining streams (health watches) get this long
watch_queue_max_messages: int = 10_000  # a WatchRooms client lagging further is cut off

# ktvctl.
rpc_timeout_s: float = 5.0  # deadline on every ktvctl call
discovery_timeout_s: float = 3.0  # how long ktvctl browses mDNS for a controller
watch_reconnect_interval_s: float = 1.0  # `ktvctl rooms --watch` retries a lost stream

# Store.
wal_checkpoint_interval_s: float = 2.0  # WAL checkpoints run on a background thread this often

# Event loop health.
loop_probe_interval_s: float = 0.1
loop_stall_warn_ms: float = 50.0  # a probe waking this late logs "event loop stalled"

# Paging.
list_page_size_default: int = 100
list_page_size_max: int = 1000

SERVICE_TYPE = "_ktv._tcp.local."
API_VERSION = "v1"


@dataclass(frozen=True)
class BoardTiming:
    """The board's timing knobs (tests shorten them; production uses the module defaults)."""

    offline_after_s: float = offline_after_s
    nobody_present_after_s: float = nobody_present_after_s
