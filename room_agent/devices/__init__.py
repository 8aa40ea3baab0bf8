"""The room's outputs through gpiozero: lights, accent light, door lamp and relays (issue 24).

The scenes and the occupancy rules are pure (``room_agent.core.scenes``) and run in the core
(``core.devices``); this package only drives pins."""
