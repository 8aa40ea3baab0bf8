"""gRPC adapters: thin servicers over the rooms and auth domains."""
