"""Billing timing constants (unit in the name)."""

running_total_refresh_s = 30.0  # how often the board's running totals are recomputed
audit_page_size_default = 1000
audit_page_size_max = 10_000
audit_page_token_max_chars = 512  # ours are ~40; refuse anything longer before decoding it
room_extend_minutes = (30, 60, 120)  # 续钟 options a room's touchscreen offers
