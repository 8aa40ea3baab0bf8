"""The ``Ambience`` port on libVLC: atmosphere sounds and 公播 as streams of their own.

Each sound is its own libVLC media player in a libVLC instance of its own, playing to the same
audio output as the song (PulseAudio/PipeWire, or ALSA's ``default`` with dmix). The audio
server mixes the streams, so the song's stream is never paused, re-opened or re-levelled
while a sample plays (heard through a PulseAudio null sink in
``tests/room_agent/player/test_ambience_heard.py``). With a bare ALSA ``hw:`` device a second
stream cannot open: the agent then runs without ambience and says so once.

libVLC's stop and set_media block for tens of milliseconds, so every call is handed to one
worker thread in order; the core's calls return at once.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import vlc

from room_agent.player.output import AudioOutput, OutputKind

log = logging.getLogger(__name__)

#: Effects that may sound at once (a second 掌声 over the first one's tail).
EFFECT_VOICES = 3
#: Effects play at this share of full scale (the venue sets the samples' own level).
EFFECT_VOLUME_PERCENT = 80
AUDIO_SUFFIXES = (".wav", ".mp3", ".ogg", ".flac", ".m4a", ".aac", ".opus")


def samples_in(directory: Path) -> dict[str, Path]:
    """``{name: file}`` for every audio file in ``directory`` (name = file stem)."""
    if not directory.is_dir():
        return {}
    return {
        p.stem: p
        for p in sorted(directory.iterdir())
        if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES
    }


def playlist_in(directory: Path) -> list[Path]:
    """The background playlist: audio files in ``directory``, by name."""
    return list(samples_in(directory).values())


class VlcAmbience:
    """Effects from ``effects`` (name -> file) and 公播 from ``background`` (files, looped)."""

    def __init__(
        self,
        output: AudioOutput,
        effects: Mapping[str, Path],
        background: Sequence[Path] = (),
        *,
        effect_volume_percent: int = EFFECT_VOLUME_PERCENT,
        voices: int = EFFECT_VOICES,
    ) -> None:
        if output.kind is OutputKind.CAPTURE:
            raise ValueError("ambience plays to a real output (pulse, alsa) or dummy")
        args = ["--quiet", "--no-video", "--no-xlib", "--no-lua", "--no-stats", "--no-osd"]
        self._instance = vlc.Instance([*args, *output.instance_args()])
        if self._instance is None:
            raise RuntimeError("libVLC could not start for ambience sounds")
        self._effects = {name: self._instance.media_new_path(str(p)) for name, p in effects.items()}
        for media in self._effects.values():
            media.parse_with_options(vlc.MediaParseFlag.local, 2000)
        self._voices = [self._instance.media_player_new() for _ in range(max(1, voices))]
        self._next_voice = 0
        self._effect_volume = effect_volume_percent
        self._background = list(background)
        self._bg_player = self._instance.media_player_new()
        self._bg_list = self._instance.media_list_new([str(p) for p in self._background])
        self._bg = self._instance.media_list_player_new()
        self._bg.set_media_player(self._bg_player)
        self._bg.set_media_list(self._bg_list)
        self._bg.set_playback_mode(vlc.PlaybackMode.loop)
        self._jobs: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._worker = threading.Thread(target=self._run, name="ktv-ambience", daemon=True)
        self._worker.start()
        self._closed = False

    # --- the port --------------------------------------------------------------------
    def effect_names(self) -> tuple[str, ...]:
        return tuple(self._effects)

    def play_effect(self, name: str) -> None:
        media = self._effects[name]
        voice = self._voices[self._next_voice]
        self._next_voice = (self._next_voice + 1) % len(self._voices)
        self._jobs.put(lambda: self._start_voice(voice, media))

    def stop_effects(self) -> None:
        for voice in self._voices:
            self._jobs.put(voice.stop)

    def has_background(self) -> bool:
        return bool(self._background)

    def start_background(self, volume_percent: int) -> None:
        def start() -> None:
            self._bg_player.audio_set_volume(volume_percent)
            self._bg.play()

        self._jobs.put(start)

    def stop_background(self) -> None:
        # pause, not stop: the playlist goes on where it was next time, and a pause returns
        # at once where libVLC's stop joins the decoder threads.
        self._jobs.put(lambda: self._bg.set_pause(1))

    # --- state for tests and the health report -----------------------------------------
    def background_playing(self) -> bool:
        return self._bg_player.get_state() == vlc.State.Playing

    def drain(self, timeout_s: float = 5.0) -> bool:
        """Wait until every call so far has run (tests)."""
        done = threading.Event()
        self._jobs.put(done.set)
        return done.wait(timeout_s)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._jobs.put(None)
        self._worker.join(timeout=5)
        self._bg.stop()
        for voice in self._voices:
            voice.stop()
            voice.release()
        self._bg_player.release()
        self._bg.release()
        self._instance.release()

    # --- internals ---------------------------------------------------------------------
    def _start_voice(self, voice: vlc.MediaPlayer, media: vlc.Media) -> None:
        voice.stop()
        voice.set_media(media)
        voice.audio_set_volume(self._effect_volume)
        voice.play()

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                job()
            except Exception:
                log.exception("ambience call failed")
