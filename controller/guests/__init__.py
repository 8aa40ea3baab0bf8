"""The guest's phone in the room (手机点歌): join codes, guest credentials, GuestService."""
