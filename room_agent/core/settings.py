"""Timing and limit constants of the room agent core, one place, unit in every name."""

from __future__ import annotations

from ktv.limits import KEY_SEMITONES_MAX

#: How often the core's loop samples the player (lyric clock, line changes, timers).
tick_interval_s = 0.05

#: Close to a lyric line change the loop samples the player faster, so the position it
#: interpolates from is fresh (libVLC's time moves every ~250 ms; a sample taken 50 ms after
#: a move makes the line change up to 50 ms late). Measured through the real player (load 8 on
#: 2 cores): always 50 ms -> 20-60 ms late; 0.6 s window at 10 ms -> ~18 ms median.
lyric_approach_window_s = 0.6
lyric_approach_tick_s = 0.01

#: The loop also wakes exactly when the next lyric line is due, but never sooner than this.
lyric_wake_min_s = 0.002

#: The playing song's position is saved at least this often (a power cut loses at most this).
position_save_interval_s = 2.0

#: A restored song restarts this far before the saved position, so the guest hears the context.
resume_rewind_ms = 0

#: Volume assumed when the player cannot say its own (a fresh room starts at the player's
#: configured volume; a restarted one at the volume it had), and the step of volume +/-.
default_volume_percent = 60
volume_step_percent = 5

#: Key change range offered to guests (semitones either way): the one bound the player
#: also enforces (``ktv.limits``).
key_limit_semitones = KEY_SEMITONES_MAX

#: Door reed switch: an edge within this window of the previous one is contact bounce.
door_debounce_ms = 50

#: Presence: nobody is assumed present after this long without motion or door activity.
vacancy_timeout_s = 300.0

#: Outputs: a room with no session and nobody present this long has everything switched off
#: (never while a session runs: the desk's NOBODY_PRESENT alert is the rule there).
idle_off_after_s = 600.0

#: Presence: motion seen with the door shut means someone is inside until the door opens
#: ("wasp in a box"); this bounds that belief in case the door sensor fails.
sealed_room_timeout_s = 3600.0

#: Messages from the controller with no duration stay this long.
default_message_s = 30
