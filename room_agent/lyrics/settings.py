"""Timing constants of the lyrics package (unit in every name)."""

from __future__ import annotations

#: A player time this far from the clock's estimate is a seek, not jitter: jump to it.
clock_jump_threshold_ms = 1500

#: Interpolate at most this far past the last new player time (a stalled or buffering
#: player must not let the lyrics run away). libVLC moves its time every ~250 ms.
clock_max_extrapolation_ms = 1000

#: When the interpolated position has run ahead of a new player time (libVLC's time moves in
#: ~250 ms steps, with jitter), the lyrics slow to this fraction of real time until the
#: player catches up, instead of standing still: a 40 ms lead used to freeze the karaoke
#: wipe for two or three frames.
clock_catch_up_rate = 0.5

#: Ahead by more than this (ms), the clock holds still: the player is not moving (stalled).
clock_max_lead_ms = 250

#: ASS output: a line appears this long before it is sung (KTV preview), in ms.
ass_preview_ms = 1500

#: After a resync (seek, replay, new song), player times far from it are ignored this long:
#: libVLC keeps reporting the old position (or 0) until the seek lands.
clock_resync_grace_ms = 1000
