"""The rooms' devices as the controller sees them: energy per room and business day (issue 24).

``energy`` is pure (integrates what the rooms reported); ``records`` reads the board's
stored events; ``api`` is the gRPC edge (``ktv.v1.DevicesService``)."""
