"""Putting the controller on a box: install, TLS init, backups."""
