"""Every timing and size constant of the link, with its unit in its name."""

from __future__ import annotations

# --- heartbeats -----------------------------------------------------------------------------
heartbeat_interval_s = 5  # announced in AgentHello; the controller times out after a few misses

# --- reconnect backoff (jittered exponential, "full jitter" style around a growing base) -------
backoff_initial_s = 0.5  # first wait after a failed connect or a dropped stream
backoff_max_s = 30.0  # the wait never grows past this
backoff_multiplier = 2.0  # growth per consecutive failure
backoff_jitter_ratio = 0.5  # each wait is drawn from [base * (1 - ratio), base]
stream_stable_after_s = 10.0  # a stream up this long resets the backoff to its first step

# --- deadlines -------------------------------------------------------------------------------
connect_timeout_s = 5.0  # channel ready + Welcome must arrive within this
enroll_timeout_s = 10.0  # deadline on AuthService.EnrollAgent
discovery_timeout_s = 5.0  # how long one zeroconf look for the controller may take
discovery_resolve_timeout_ms = 1500  # AsyncServiceInfo.async_request timeout

# --- dead-peer detection (a controller that vanished without closing the TCP connection) -----
keepalive_time_s = 20.0  # HTTP/2 ping after this long without activity on the stream
keepalive_timeout_s = 10.0  # no ping ack within this -> the connection is dead, reconnect

# --- outbox ----------------------------------------------------------------------------------
outbox_send_window_events = 64  # events in flight (sent, not yet acked) on one stream
outbox_batch_events = 32  # rows read from SQLite per refill
outbox_poll_interval_s = 1.0  # safety poll in case a wake-up from emit() was missed

# --- commands --------------------------------------------------------------------------------
recent_command_ids_kept = 1000  # applied command ids remembered (in SQLite) for dedupe

# --- the queue report for guests' phones -----------------------------------------------------
queue_report_debounce_s = 0.05  # changes this close together make one report up

# --- service discovery -----------------------------------------------------------------------
service_type = "_ktv._tcp.local."
api_version = "1"  # the link protocol version this agent speaks (TXT "api")

# --- the touchscreen's front desk (menu, orders, bill, members, 续钟) --------------------------
front_desk_deadline_s = 4.0  # deadline on each call: the screen says "unavailable" after it
