"""How a song's 原唱/伴唱 switch runs: the seamless shadow deck, or the plain libVLC switch.

Why a shadow deck: libVLC's own ``audio_set_track``/``audio_set_channel`` restart the audio
output; through a real audio server a guest hears 140-980 ms of silence at every switch
(STACK-NOTES). Instead the main deck (video + the original vocal) and a second, video-less
"shadow" deck (the accompaniment) play the same file from the same moment on the same
libVLC clock; the switch is a volume swap between them, which never touches a decoder or an
output stream: 0 ms of silence, the position cannot move, and video and the lyrics clock
(both read from the main deck) never notice. Key, loudness gain, volume and mute are applied
to both decks together, so a switch never changes them.

- ``TRACKS``: main deck opens the vocal audio stream, shadow deck the accompaniment stream
  (libVLC's ``:audio-track=N`` counts audio streams in file order, like ffprobe).
- ``CHANNELS``: both decks open the one stereo track; each deck's ``stereo-mode`` is set
  before it starts (libvlccore), main = the vocal channel, shadow = the other one.
- Fallback (``PLAIN_*``): no second deck (disabled, or it failed on this file), or no
  libvlccore for the channel choice: one deck, libVLC's own switch, with its gap. The reason
  is logged and kept in the plan.

This module only plans (pure); ``vlc_player.py`` carries the plan out.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from media_index.model import Channel, Song, VocalMode
from room_agent.core.ports import VocalSwitch
from room_agent.player.stereo import StereoMode


class VocalMethod(enum.Enum):
    NONE = "none"  # one mix: the control is disabled
    SHADOW_TRACKS = "shadow_tracks"
    SHADOW_CHANNELS = "shadow_channels"
    PLAIN_TRACKS = "plain_tracks"
    PLAIN_CHANNELS = "plain_channels"

    @property
    def uses_shadow(self) -> bool:
        return self in (VocalMethod.SHADOW_TRACKS, VocalMethod.SHADOW_CHANNELS)


@dataclass(frozen=True)
class VocalPlan:
    method: VocalMethod
    # TRACKS: 0-based audio stream indexes (ffprobe order) for each switch position.
    original_track: int | None = None
    accompaniment_track: int | None = None
    # CHANNELS: the stereo mode that plays each switch position.
    original_stereo: StereoMode = StereoMode.STEREO
    accompaniment_stereo: StereoMode = StereoMode.STEREO
    why_not_seamless: str = ""
    # The song's video plays on its own deck (video only), so that both audio decks are
    # alike (no video): they start together and stay together (alignment.py).
    picture_deck: bool = False

    def main_track(self, vocal: VocalSwitch) -> int | None:
        """Audio stream the main deck opens with."""
        if self.method is VocalMethod.SHADOW_TRACKS:
            return self.original_track
        if self.method is VocalMethod.PLAIN_TRACKS:
            return self.track_for(vocal)
        return None

    def track_for(self, vocal: VocalSwitch) -> int | None:
        if vocal is VocalSwitch.ACCOMPANIMENT:
            return self.accompaniment_track
        return self.original_track

    def stereo_for(self, vocal: VocalSwitch) -> StereoMode:
        if vocal is VocalSwitch.ACCOMPANIMENT:
            return self.accompaniment_stereo
        return self.original_stereo

    def main_stereo(self, vocal: VocalSwitch) -> StereoMode:
        if self.method is VocalMethod.SHADOW_CHANNELS:
            return self.original_stereo
        if self.method is VocalMethod.PLAIN_CHANNELS:
            return self.stereo_for(vocal)
        return StereoMode.STEREO


def _stereo(channel: Channel) -> StereoMode:
    return StereoMode.LEFT if channel is Channel.LEFT else StereoMode.RIGHT


def _other(channel: Channel) -> Channel:
    return Channel.RIGHT if channel is Channel.LEFT else Channel.LEFT


def plan_for(song: Song, *, shadow_allowed: bool, stereo_presettable: bool) -> VocalPlan:
    """The vocal method for ``song``; ``shadow_allowed`` False forces the plain switch, and
    ``stereo_presettable`` says whether a deck's channel can be chosen before it starts."""
    if song.vocal_mode is VocalMode.TRACKS:
        vocal, accomp = song.vocal_track, song.accompaniment_track
        if vocal is None or accomp is None or vocal == accomp or min(vocal, accomp) < 0:
            return VocalPlan(VocalMethod.NONE, why_not_seamless="tracks song without two tracks")
        if not shadow_allowed:
            return VocalPlan(VocalMethod.PLAIN_TRACKS, vocal, accomp, why_not_seamless="no shadow")
        return VocalPlan(VocalMethod.SHADOW_TRACKS, vocal, accomp, picture_deck=song.has_video)
    if song.vocal_mode is VocalMode.CHANNELS:
        channel = song.vocal_channel or Channel.RIGHT
        original, accomp_ch = _stereo(channel), _stereo(_other(channel))
        if not shadow_allowed:
            reason = "no shadow"
        elif not stereo_presettable:
            reason = "cannot preset a deck's channel (libvlccore unavailable)"
        else:
            return VocalPlan(
                VocalMethod.SHADOW_CHANNELS,
                original_stereo=original,
                accompaniment_stereo=accomp_ch,
                picture_deck=song.has_video,
            )
        return VocalPlan(
            VocalMethod.PLAIN_CHANNELS,
            original_stereo=original,
            accompaniment_stereo=accomp_ch,
            why_not_seamless=reason,
        )
    return VocalPlan(VocalMethod.NONE)


def plain_fallback(plan: VocalPlan, reason: str) -> VocalPlan:
    """The same song switched by libVLC itself, after the shadow deck failed."""
    method = {
        VocalMethod.SHADOW_TRACKS: VocalMethod.PLAIN_TRACKS,
        VocalMethod.SHADOW_CHANNELS: VocalMethod.PLAIN_CHANNELS,
    }.get(plan.method, plan.method)
    return VocalPlan(
        method,
        plan.original_track,
        plan.accompaniment_track,
        plan.original_stereo,
        plan.accompaniment_stereo,
        why_not_seamless=reason,
        picture_deck=plan.picture_deck,
    )
