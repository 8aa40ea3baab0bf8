"""Every tunable of the song index in one place, each with its unit in the name."""

from __future__ import annotations

# identity: a song's id is a hash of its size and the first and last bytes of its content
identity_chunk_bytes = 1024 * 1024

# probing (ffprobe/ffmpeg subprocesses run in a small worker pool)
probe_workers = 2
probe_timeout_s = 60.0
loudness_timeout_s = 120.0

# scanning: rows written per transaction
scan_batch_songs = 200
# a rescan that would remove more than this share of the catalog stops before writing
# anything and asks for --allow-removals (a half-mounted or half-copied library)
max_removal_share = 0.10

# analysis after the scan (loudness, channel split: ffmpeg decodes, at the lowest priority):
# songs per transaction, decodes at once, and how often a background analyser looks for
# new pending songs when it has none
analysis_batch_songs = 8
# the most sung songs of the last week that go before the rest (after queued ones)
analysis_hot_songs = 500
analysis_workers = 1
analysis_idle_poll_s = 30.0
# bulk imports (bulk_import.py): songs per transaction, and worker processes computing keys
bulk_batch_songs = 5000
bulk_worker_processes = 1

# pinyin: how many reading combinations of a polyphonic name are indexed
max_reading_combinations = 8
# names longer than this only index the default reading (avoids combinatorial blow-up)
max_polyphonic_chars = 6

# search: Latin keys get their first N characters materialised as lookup keys, CJK keys their
# first N characters and every N-gram up to N (so 1-2 character queries are an index walk)
latin_prefix_chars = 3
cjk_gram_chars = 2
# how many matches each lookup of a search fetches at least; a search stops counting there
# and reports "N+" (SearchPage.total_capped)
search_count_cap = 200
# an empty query (browse with filters) counts up to this many songs
browse_count_cap = 100_000
search_max_limit = 500
# a prefix range (queries longer than the materialised prefixes) ranks the songs of at most
# this many keys, in key order: "the b" spans the keys of every song by every "The B..."
# band (6,000+ at 1M songs: 10-25 ms to rank them all; capped at 500, ~1 ms)
range_scan_cap = 500
# substring search (FTS5 trigram, the last stage) ranks at most this many matches, taken in
# catalog order: a fragment of a common word ("ight") matches tens of thousands of songs at
# 1M, and sorting all of them by popularity took 75 ms; capped at 500, ~0.9 ms
substring_scan_cap = 500

# charts: a play counts for hot charts if the song completed or ran at least this long
play_counts_after_ms = 30_000

# readers: how often a read-only catalog looks at its file for a newer version
reopen_check_interval_s = 0.0

# SQLite page cache per connection: writers import big batches, readers (room agents) stay small
writer_cache_kib = 256 * 1024
# 4 MiB: on a 1M-song catalog 150 typed queries ran p50 7.3 ms with 32 MiB and 5.3-7.4 ms
# with 2-8 MiB (the OS page cache holds the file anyway), while 32 MiB added ~34 MB to the
# room agent's RSS (touchscreen target: 250 MB in all)
reader_cache_kib = 4 * 1024
