"""ktv song index: scan a song library into a SQLite catalog with KTV-style search."""
