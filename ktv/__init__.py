"""Shared pieces of the KTV system: errors and the generated gRPC contracts (ktv.v1)."""
