"""Timing and size constants of the TV notices, one place, unit in every name."""

from __future__ import annotations

# The time-left badge shows in the last minutes of prepaid time (and in any warning phase).
badge_within_minutes = 10
# Who picked the song (a guest's phone's nickname) shows this long after the song starts.
picked_by_shown_s = 8.0
# The desk's answer to the room's service call (服务员马上到) shows this long.
service_answered_shown_s = 8.0
# A warning the core does not take down itself ends after this long.
warning_shown_s = 30.0
# The core words its warning as a message right after the TimeWarning event: a message
# arriving within this window is that wording, not a desk message.
warning_echo_window_s = 1.0
# How often the overlay re-checks which notice is due (expiry of timed notices).
overlay_check_interval_s = 0.5
# The standby picture's backdrop file is not there yet (still being made): look again after.
standby_backdrop_retry_s = 1.0
# Marquee text heights in pixels (seen at these heights on 720p frames and a 720p X11 output;
# on a full-screen 1080p TV libVLC may scale them with the picture: check on the venue's TV).
badge_size_px = 28
notice_size_px = 36
alert_size_px = 48
# The guest QR code in the TV's corner: pixels per QR module in its PNG (a 33-module code is
# ~200 px: scannable across a room on a 720p picture), and its margin from the corner.
qr_module_px = 6
qr_margin_px = 24
