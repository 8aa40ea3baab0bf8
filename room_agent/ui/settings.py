"""Touchscreen timing and sizing constants, each with its unit in the name."""

from __future__ import annotations

lyrics_frame_interval_s = 0  # every frame (Kivy caps at 60 fps) while now playing is shown
# Kivy's clock by default wakes up to 10 ms early for a frame (it assumes a coarse sleep), so
# "60 fps" drew 80-125 frames a second wherever the display does not block the swap
# (offscreen, Xvfb, no vsync): twice the rasterising on two cores, and late frames. Linux
# sleeps to ~0.1 ms; with vsync the swap should pace the loop (not yet seen on a display).
frame_clock_resolution_s = 0.001
lyrics_prepare_delay_s = 0.1  # after a line change, rasterise the next line (not that frame)
clock_tick_interval_s = 1.0  # wall clock / song time on screen
playback_poll_interval_s = 0.25  # position and state refresh (libVLC updates ~every 250 ms)
room_poll_interval_s = 1.0  # link state and message timeouts, beside the core's events
release_memory_after_idle_s = 1.5  # after the last search, give freed heap back to the OS
freeze_heap_after_s = 2.0  # after the app is built: start-up objects out of the GC's walks
freeze_screen_after_s = 1.0  # after a screen's first use (its keys, rows): the same for it
toast_duration_s = 2.5  # "已点歌" confirmations
search_result_limit = 100  # rows per page; RecycleView recycles the widgets
load_more_at_scroll_y = 0.05  # fetch the next page when scrolled this close to the end
home_shelf_limit = 12  # songs per home shelf (hot, new, for this room)
singer_page_limit = 120
volume_step_percent = 5

# layout: sizes scale with the window's short side so 800x480, 1024x600 and 1920x1080 all fit
design_short_side_px = 480  # the official 7" Pi touchscreen

# the window's clear colour: the ordering screens' backdrop (BG in widgets/common.kv)
background_rgba = (0.07, 0.05, 0.15, 1)

# Single-screen rooms: the music video behind the lyrics is dimmed to this (1 = as decoded)
# so the lyric lines stay readable over bright pictures.
video_backdrop_brightness = 0.7
