"""The club's bounds and timings, each with its unit in the name."""

from __future__ import annotations

sign_in_code_digits = 6
sign_in_code_ttl_s = 300  # a one-time code works 5 minutes
sign_in_code_max_wrong = 5  # then that code is dead (ask for a new one)
sign_in_codes_per_phone = 3  # codes one phone may be sent ...
sign_in_codes_window_s = 600  # ... in this many seconds
saved_songs_max = 200  # 我的歌单 holds at most this many songs
song_id_max_chars = 64
draws_lookback_s = 86400  # guests see draws drawn in the last day
draws_page_max = 200
