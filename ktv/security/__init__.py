"""Venue trust: the venue CA, room-bound client certificates, pinning, gRPC credentials.

``certs`` is pure (cryptography only); ``venue_tls`` keeps the files on disk; ``grpc_tls``
is the gRPC adapter.
"""
