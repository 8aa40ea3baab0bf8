"""A room's screens, as ``agent.toml``'s ``layout`` says (docs/tv.md):

- ``two_screens``: libVLC plays the music video full screen on the TV (``tv_video_output``,
  ``tv_display``), draws the karaoke lyrics (ASS, same lyrics as the core's clock; songs
  without video play over a backdrop clip, ``tv_backdrop``) and the notices (marquee: time
  left, warnings, 到钟, the desk's messages, emergencies);
- ``single_screen``: the video is decoded into memory and the touchscreen's now-playing view
  shows it behind its own lyrics and notices (no ASS, no marquee: they would be drawn twice).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from room_agent.config import AgentConfig, ScreenLayout
from room_agent.player import AudioOutput, PlayerConfig, VlcPlayer
from room_agent.player.frames import VideoFrames
from room_agent.player.tv import (
    LyricsLoader,
    TvBackdrop,
    TvLyrics,
    TvPicture,
    TvStandby,
    VlcLogo,
    VlcMarquee,
)
from room_agent.tv.guest_qr import TvGuestQr
from room_agent.tv.overlay import NoticeSource, TvOverlay

TV_LYRICS_DIR = "tv-lyrics"
TV_BACKDROP_FILE = "tv-backdrop.mkv"
TV_QR_DIR = "tv-qr"


class RoomScreens:
    def __init__(self, config: AgentConfig, *, windowed: bool = False) -> None:
        self.layout = config.layout
        self.tv_video_output = config.tv_video_output
        self.tv_display = config.tv_display
        self.fullscreen = not windowed
        self.lyrics_dir = Path(config.data_dir) / TV_LYRICS_DIR
        own = config.tv_backdrop  # the venue's clip, else one made once in the data dir
        self.backdrop = TvBackdrop(own or Path(config.data_dir) / TV_BACKDROP_FILE, make=not own)
        self.video: VideoFrames | None = None  # for the touchscreen (single screen)
        self.overlay: TvOverlay | None = None
        self.guest_qr: TvGuestQr | None = None  # the session's guest QR in the TV's corner
        self.qr_dir = Path(config.data_dir) / TV_QR_DIR
        self.standby: TvStandby | None = None  # the TV's picture between songs
        self._unsubscribe: Callable[[], None] | None = None

    def player_config(self, audio: AudioOutput, media_root: str) -> PlayerConfig:
        if self.layout is ScreenLayout.SINGLE_SCREEN:
            # the video goes to memory (callbacks replace any output): no window anywhere
            return PlayerConfig(audio=audio, media_root=media_root)
        return PlayerConfig(
            audio=audio,
            media_root=media_root,
            video_output=self.tv_video_output,
            fullscreen=self.fullscreen,
            x11_display=self.tv_display,
        )

    def attach(self, player: VlcPlayer, core: NoticeSource, lyrics: LyricsLoader) -> None:
        """Before the first song: route the player's video and start following the core."""
        if self.layout is ScreenLayout.SINGLE_SCREEN:
            self.video = VideoFrames()
            for mp in player.video_players():
                self.video.install(mp)
            return
        self.backdrop.prepare()
        player.tv = TvPicture(TvLyrics(lyrics, self.lyrics_dir), self.backdrop)
        self.standby = TvStandby(self.backdrop, player.config.instance_args())
        self._unsubscribe = core.subscribe(self.standby.on_event)
        self.standby.start()
        players = (*player.video_players(), self.standby.player)
        self.overlay = TvOverlay(VlcMarquee(players)).attach(core)
        view = getattr(core, "view", None)
        current = view().guest_url if callable(view) else ""
        self.guest_qr = TvGuestQr(VlcLogo(players), self.qr_dir).attach(core, current)

    def close(self) -> None:
        if self.guest_qr is not None:
            self.guest_qr.close()
            self.guest_qr = None
        if self.overlay is not None:
            self.overlay.close()
            self.overlay = None
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self.standby is not None:
            self.standby.close()
            self.standby = None
        self.backdrop.close()
