"""The room agent's core: queue, playback state, lyrics clock, presence, outbox. No Kivy, no
VLC, no gRPC imports here; adapters implement the ports in ``ports.py``."""
