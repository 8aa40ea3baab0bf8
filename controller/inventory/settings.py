"""Inventory defaults (a venue overrides them in ``[inventory]`` of the venue config)."""

from __future__ import annotations

expiry_warning_days = (30, 15, 7)  # best-before warnings, days ahead (the smallest that fits)
velocity_weeks = 4  # sales velocity window for derived reorder points
review_days = 7  # a derived reorder target covers lead time + this many days of sales
storage_days = {"spirits": 40, "wine": 30, "beer": 20}  # 存酒: days a stored bottle keeps
storage_opened_days = {"spirits": 40, "wine": 15, "beer": 7}  # ... once opened
storage_default_days = 30  # a category the rules do not name
storage_reminder_days = 3  # remind the guest this many days before a bottle expires
quantity_max = 10**9  # one movement, in base units (a typo guard, not a warehouse limit)
documents_page_default = 200
stocktakes_page_default = 20  # ListStocktakes: decided counts listed after the open ones
