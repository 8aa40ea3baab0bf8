"""Timing and level constants of the room's player, one place, unit in every name."""

from __future__ import annotations

from ktv.limits import KEY_SEMITONES_MAX

# libVLC input caching for local files: low so skip/seek/replay feel immediate.
file_caching_ms = 50

# Loudness levelling (EBU R128): every song is brought to the same integrated loudness.
target_lufs = -18.0
# A song the index has not measured is assumed to be a typical commercial master.
unmeasured_song_lufs = -14.0
levelling_min_gain_db = -20.0
levelling_max_gain_db = 10.0

# libVLC's volume scale: 100 = unity, 200 = its maximum (+18 dB, the curve is cubic).
vlc_volume_max = 200

# Key change (升降调), semitones: the guests' range (ktv.limits, the core offers the same);
# scaletempo_pitch itself accepts -12..+12.
key_min_semitones = -KEY_SEMITONES_MAX
key_max_semitones = KEY_SEMITONES_MAX

# Shadow deck alignment (sync.py): measured this long after a start/seek/resume, then
# every shadow_check_interval_s; a measurement polls libVLC for at most the budget and wants
# this many clock changes per deck; the early deck is held back beyond the tolerance.
shadow_align_delay_s = 0.15
shadow_align_budget_s = 1.2
shadow_align_changes = 2
shadow_align_tolerance_ms = 4.0
shadow_align_rounds = 4
# The picture deck (video only) may be this far off the audible deck: a frame lasts 40 ms.
picture_align_tolerance_ms = 10.0
# A deck ahead by up to this is paused for the difference; further ahead, or behind, it is
# seeked this far ahead of the audible deck (a seek restarts its clock after a short delay)
# and held back in the next round.
align_max_hold_ms = 400.0
align_seek_lead_ms = 100.0
# A muted audio deck behind the audible one by no more than this is not seeked (see
# alignment.plan_moves): a restarted output lands no closer than that under load.
align_seek_min_late_ms = 25.0
# A shadow deck ending this close to the song's end is the song ending, not a failure.
shadow_end_margin_ms = 1500
shadow_check_interval_s = 5.0
# Through PulseAudio, each deck's real lateness is read from the server (pulse_latency.py):
# this many readings (median), each given at most this long.
server_latency_samples = 7
server_latency_timeout_s = 1.0
# After a start or seek, the first (server-only) look at the decks comes this soon.
server_lag_check_delay_s = 0.15
# A two-deck song opens its decks paused and starts them together once all are open: how
# often the player looks, and how long it waits for a slow deck before starting anyway.
start_poll_interval_s = 0.003
start_hold_max_s = 1.0
# How long play() waits in the background for a song to start before reporting an error.
open_timeout_s = 10.0
# After a song starts, how often the player checks that its decks' outputs took the volume.
volume_recheck_interval_s = 0.02
# ...and for at least this long after play(), whatever the decks report.
volume_recheck_for_s = 0.4

# How much later a sample is heard than libVLC's clock says (ms), by the song file's
# container, through PulseAudio: libVLC dates each format's audio a little differently
# (codec priming and pre-skip, its demuxers' timestamps). Measured from PCM, the player's
# position against the position heard on the sink's monitor (benchmarks/library_bench.py
# playback, "lyric offset", medians of 5 runs, x86-64 at load ~10, null sink); the lyric
# clock (heard_clock.py) subtracts it. MPEG-PS is counted as what it plays as: MP2 in the
# MKV remux. Not applied to amem (its presentation dates are the clock itself) or ALSA
# (not measured). Re-measure on the room's own output before trusting it there.
heard_lag_pulse_ms: dict[str, float] = {
    "mpg": 51.0, "mpeg": 51.0, "vob": 51.0, "mp3": 32.0, "wav": 32.0, "avi": 61.0,
    "m4a": -31.0, "mkv": 0.0, "mp4": 0.0, "ogg": 0.0,
}  # fmt: skip
# (Ogg Vorbis measured -97/-113 ms while the heard clock capped the position 400 ms past
# libVLC's last value: Ogg's time moves in ~1 s steps. With the cap following the steps it
# measures -2 ms (worst run +27, load ~30): no lag.)

# Video decoded into memory (single-screen rooms, TV checks): scaled by libVLC to fit this box.
memory_video_max_width_px = 640
memory_video_max_height_px = 360
# The font libVLC's marquee (TV notices) uses: without a CJK font it draws boxes for 中文.
tv_font = "Noto Sans CJK SC"
# Opacity (0-255) of the dark box behind a TV notice.
tv_notice_box_opacity = 200
# The TV backdrop under audio-only songs (made once with ffmpeg when the venue gives none).
tv_backdrop_colour = "0x101028"
tv_backdrop_size = "640x360"
tv_backdrop_length_s = 900
# Without a song for this long, the TV shows the backdrop (for notices between songs).
tv_standby_delay_s = 2.0
