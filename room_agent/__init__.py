"""ktv room agent: the in-room engine (player, lyrics, queue, sensors, link) and its screens."""
