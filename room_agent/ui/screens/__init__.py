"""One module + one ``.kv`` rule file per screen."""
