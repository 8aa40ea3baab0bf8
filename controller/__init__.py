"""ktv controller: the venue's authority for rooms, money and members."""
