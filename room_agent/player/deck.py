"""One libVLC media player ("deck"): opens a file with the options a song needs, plays it, and
reports its libVLC events to the owner through a plain callback (on libVLC's thread).

The ``VlcPlayer`` drives a main deck (video + original vocal) and, for songs with a vocal
mode, a muted shadow deck (no video, the accompaniment): see ``shadow.py``.
"""

from __future__ import annotations

import ctypes
import enum
import logging
from collections.abc import Callable

import vlc

from ktv.errors import Unsupported
from room_agent.player.output import CAPTURE_CHANNELS, CAPTURE_RATE_HZ, AudioOutput, OutputKind
from room_agent.player.pitch import KeyShifter
from room_agent.player.stereo import StereoMode
from room_agent.player.tv import TvMedia
from room_agent.player.vlccore import VlcCore

log = logging.getLogger(__name__)


class DeckEvent(enum.Enum):
    AUDIO_ADDED = "audio_added"
    ENDED = "ended"
    ERROR = "error"


DeckListener = Callable[["Deck", int, DeckEvent], None]


class Deck:
    """A libVLC media player plus the per-song media options of the KTV room."""

    def __init__(
        self,
        instance: vlc.Instance,
        name: str,
        output: AudioOutput,
        core: VlcCore,
        shifter: KeyShifter,
        listener: DeckListener,
        stereo: StereoMode = StereoMode.STEREO,
        role: int = 0,
    ) -> None:
        self.name = name
        # libVLC media-player role: the audio server shows it as the stream's media.role,
        # which tells the decks' streams apart (pulse_latency.py). Set before the output.
        self.role = role
        self.stereo = stereo
        self._instance = instance
        self._core = core
        self._shifter = shifter
        self._listener = listener
        self._generation = 0
        self.wanted_volume = 100
        self.mp: vlc.MediaPlayer = instance.media_player_new()
        self.ptr: int = ctypes.cast(self.mp._as_parameter_, ctypes.c_void_p).value or 0
        if role:
            self.mp.set_role(role)
        events = self.mp.event_manager()
        events.event_attach(vlc.EventType.MediaPlayerEndReached, self._on_vlc_end)
        events.event_attach(vlc.EventType.MediaPlayerEncounteredError, self._on_vlc_error)
        events.event_attach(vlc.EventType.MediaPlayerESAdded, self._on_vlc_es_added)
        # The deck's channel and pitch filter are player variables (libvlccore) that its audio
        # output inherits when it is created; the channel never changes afterwards (changing
        # it restarts the output). libVLC made an output with the player already, so set the
        # variables first, then have the output re-created.
        self.channel_fixed = stereo is StereoMode.STEREO or core.set_int(
            self.ptr, b"stereo-mode", int(stereo)
        )
        try:
            shifter.prepare(self.ptr)
        except Unsupported as exc:  # the shifter has marked itself unsupported
            log.warning("%s deck: no key change: %s", name, exc)
        if output.kind is OutputKind.CAPTURE:
            self._install_capture(output)  # audio_set_callbacks re-creates the output
        else:
            self.mp.audio_output_set(output.vlc_module())
            if output.device:
                self.mp.audio_output_device_set(None, output.device)

    # --- libVLC callbacks (libVLC's threads: report, never call back into libVLC) ---------

    def _on_vlc_end(self, _event: vlc.Event) -> None:
        self._listener(self, self._generation, DeckEvent.ENDED)

    def _on_vlc_error(self, _event: vlc.Event) -> None:
        self._listener(self, self._generation, DeckEvent.ERROR)

    def _on_vlc_es_added(self, event: vlc.Event) -> None:
        if event.u.new_child == vlc.TrackType.audio.value:  # es type rides in new_child
            self._listener(self, self._generation, DeckEvent.AUDIO_ADDED)

    def _install_capture(self, output: AudioOutput) -> None:
        capture = output.capture
        assert capture is not None
        deck = self.name
        frame_bytes = 2 * CAPTURE_CHANNELS

        @vlc.CallbackDecorators.AudioPlayCb
        def _play(_opaque: object, samples: int, count: int, pts: int) -> None:
            capture.write(deck, pts, ctypes.string_at(samples, count * frame_bytes))

        @vlc.CallbackDecorators.AudioFlushCb
        def _flush(_opaque: object, _pts: int) -> None:
            capture.flush(deck, vlc.libvlc_clock())  # what was not heard yet is dropped

        @vlc.CallbackDecorators.AudioSetVolumeCb
        def _volume(_opaque: object, volume: float, mute: bool) -> None:
            capture.volume(deck, vlc.libvlc_clock(), float(volume), bool(mute))

        self._callbacks = (_play, _flush, _volume)  # keep them alive as long as the player
        self.mp.audio_set_callbacks(_play, None, None, _flush, None, None)
        # The capture applies volume like an audio server's mixer, at the instant it is set
        # (amem's own software gain is reset whenever a stream starts).
        self.mp.audio_set_volume_callback(_volume)
        self.mp.audio_set_format("S16N", CAPTURE_RATE_HZ, CAPTURE_CHANNELS)

    # --- control ----------------------------------------------------------------------------

    def open(
        self,
        path: str,
        *,
        generation: int,
        caching_ms: int,
        start_ms: int = 0,
        audio_index: int | None = None,
        video: bool = True,
        tv: TvMedia | None = None,
        audio: bool = True,
        paused: bool = False,
    ) -> None:
        """Load ``path`` (not started). ``audio_index`` is the 0-based audio stream to play
        (libVLC's ``audio-track`` option counts audio streams in file order, as ffprobe does);
        ``tv`` (see tv.py): the karaoke subtitle, attached and selected, and the backdrop
        video an audio-only song plays over (an input slave: the song stays the master)."""
        self._generation = generation
        media = self._instance.media_new_path(path)
        media.add_option(f":file-caching={caching_ms}")
        if start_ms > 0:
            media.add_option(f":start-time={start_ms / 1000:.3f}")
        if audio_index is not None:
            media.add_option(f":audio-track={audio_index}")
        if not video:
            media.add_option(":no-video")
            media.add_option(":no-spu")
        tv = tv if video else None
        if tv is not None and tv.backdrop is not None:
            media.add_option(f":input-slave={tv.backdrop.as_uri()}")
        if not audio:
            media.add_option(":no-audio")
        if paused:  # opens, buffers and waits at its first frame: see ready()
            media.add_option(":start-paused")
        self.mp.set_media(media)
        media.release()
        uri = tv.subtitle.as_uri() if tv is not None and tv.subtitle is not None else None
        if uri and self.mp.add_slave(vlc.MediaSlaveType.subtitle, uri, True):
            log.warning("%s deck: libVLC refused the subtitle %s", self.name, uri)

    def play(self) -> None:
        self.mp.play()

    def set_key(self, semitones: int, *, playing: bool) -> None:
        self._shifter.apply(self.ptr, semitones, playing=playing)

    def stop(self) -> None:
        """Stop now, keeping the audio output: libVLC's stop() destroys it, and a new one
        ignores the volume set before it starts (the muted deck would blare at song start)."""
        self._generation = -1
        self.mp.set_media(None)

    def set_pause(self, paused: bool) -> None:
        self.mp.set_pause(1 if paused else 0)

    def seek(self, position_ms: int) -> None:
        self.mp.set_time(max(0, int(position_ms)))

    def ready(self, *, overdue: bool = False) -> bool:
        """Opened and waiting (``paused`` open), or past caring (ended, failed); once the
        wait is ``overdue`` a deck already playing counts too (nothing left to wait for)."""
        state = self.mp.get_state()
        if overdue and state == vlc.State.Playing:
            return True
        return state in (vlc.State.Paused, vlc.State.Ended, vlc.State.Error)

    def time_ms(self) -> int:
        return max(0, self.mp.get_time())

    def length_ms(self) -> int:
        return max(0, self.mp.get_length())

    def set_volume(self, vlc_volume: int) -> None:
        self.wanted_volume = int(vlc_volume)
        self.mp.audio_set_volume(int(vlc_volume))

    def set_channel(self, stereo: StereoMode) -> bool:
        """libVLC's own channel switch (restarts the audio output: the fallback path)."""
        return self.mp.audio_set_channel(int(stereo)) == 0

    def audio_track_ids(self) -> list[int]:
        """libVLC's ids of the audio tracks, in file order (no 'Disable' entry)."""
        described = self.mp.audio_get_track_description() or []
        return [track_id for track_id, _name in described if track_id >= 0]

    def set_audio_track(self, track_id: int) -> bool:
        return self.mp.audio_set_track(track_id) == 0

    def release(self) -> None:
        self._generation = -1
        self.mp.stop()
        self.mp.release()
