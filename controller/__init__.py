"""ktv controller: the venue's authority for rooms, money and members."""

__version__ = "0.1.0"
