"""Room sensors through gpiozero: the door reed switch and the IR/PIR presence sensor.

``config`` is pure (the agent's config loader fills it); ``gpio`` builds gpiozero devices and
feeds raw edges to the core, which debounces and derives presence."""

from room_agent.sensors.config import SensorConfig

__all__ = ["SensorConfig"]
