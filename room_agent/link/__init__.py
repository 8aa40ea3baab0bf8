"""The room agent's link to the venue controller.

Discovery (zeroconf, or an explicit ``host:port``), one long-lived gRPC stream per room with
jittered exponential backoff, a durable SQLite outbox for events going up, and exactly-once
application of commands coming down. Nothing here is on the playback path: the room keeps
singing when the link is down.
"""
