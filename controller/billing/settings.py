"""Billing timing constants (unit in the name)."""

running_total_refresh_s = 30.0  # how often the board's running totals are recomputed
audit_page_size_default = 1000
audit_page_size_max = 10_000
audit_page_token_max_chars = 512  # ours are ~40; refuse anything longer before decoding it
room_extend_minutes = (30, 60, 120)  # 续钟 options a room's touchscreen offers
phone_payment_ttl_s = 900  # a phone payment's gateway order expires after 15 minutes
phone_payment_query_after_s = 10.0  # GetPayment asks the gateway once a notice is this late
phone_gateway_timeout_s = 10.0  # one HTTP call to WeChat Pay / Alipay (connect + read)
phone_issues_page_max = 500
phone_sweep_interval_s = 60.0  # how often pending phone payments are asked of their gateway
phone_sweep_batch = 200  # at most this many payments (and issues) per sweep
phone_issue_retry_s = 24 * 3600  # open issues get their refund retried for a day
