"""Rooms: configuration, live business state, agent connectivity, sensors and alerts."""
