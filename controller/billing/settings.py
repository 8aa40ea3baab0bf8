"""Billing timing constants (unit in the name)."""

running_total_refresh_s = 30.0  # how often the board's running totals are recomputed
audit_page_size_default = 1000
audit_page_size_max = 10_000
room_extend_minutes = (30, 60, 120)  # 续钟 options a room's touchscreen offers
