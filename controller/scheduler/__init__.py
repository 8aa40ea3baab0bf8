"""The controller's scheduler: periodic jobs (points expiry, birthday gifts, win-back, the
notifications outbox...) at the venue's wall-clock times, idempotent per period."""
