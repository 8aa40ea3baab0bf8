"""The room's TV: what is drawn over the music video (notices), independent of libVLC."""
