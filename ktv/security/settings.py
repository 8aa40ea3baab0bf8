"""Lifetimes of the venue's certificates (one place, unit in the name)."""

from __future__ import annotations

venue_ca_valid_days = 3650  # the CA outlives every box in the venue
controller_cert_valid_days = 825  # CA/Browser-forum ceiling; `ktv-controller init --renew`
room_cert_valid_days = 825  # re-enrolling a Pi issues a fresh one
clock_skew_allowance_s = 300  # notBefore is backdated so a Pi with a slow clock still accepts
pin_fetch_timeout_s = 5.0  # TLS handshake to read the controller's chain for pinning
