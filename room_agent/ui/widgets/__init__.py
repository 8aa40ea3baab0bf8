"""Reusable touchscreen widgets: buttons, the KTV keyboard, song rows, the karaoke line."""
