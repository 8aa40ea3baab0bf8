"""The room's song library on its own disk: the catalog copy it searches (versions fetched
from the controller, swapped atomically, the previous one kept for rollback) and the cache of
queued songs' media (docs/catalog.md)."""
