"""Membership timings and defaults (units in the names)."""

from __future__ import annotations

pin_max_failures = 5  # wrong PINs in a row before balance payments lock
pin_lockout_s = 15 * 60.0  # 15 minutes
points_valid_days = 365  # points earned expire this many days later
birthday_lead_days = 7  # birthday coupons go out this many days before the birthday
dormant_after_days = 90  # no visit for this long: dormant
new_member_days = 30  # registered within this many days: new
high_frequency_visits_90d = 6  # visits in the last 90 days for "high-frequency"
vip_spend_12m_fen = 2_000_000  # 20,000 yuan spent in 12 months: high-value VIP
notify_max_attempts = 8  # a message that failed this many times is given up (kept, marked)
notify_retry_first_s = 60.0  # first retry after a failed send; doubles each time
notify_retry_max_s = 6 * 3600.0  # ... up to this
credit_sweep_days = 7  # the credit sweep looks at bills checked out within this many days
job_batch_members = 200  # scheduled jobs write this many members per transaction
