"""Members on the guest's phone (sign-in, 我的歌单) and the venue's draws (活动/抽奖)."""
