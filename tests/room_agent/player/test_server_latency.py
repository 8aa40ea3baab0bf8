"""Reading each deck's real lateness from the audio server (pulse_latency.py)."""

from __future__ import annotations

import pytest

from room_agent.player import AudioOutput, OutputKind, PlayerConfig, VlcPlayer
from room_agent.player.pulse_latency import ServerLatency, lag_ms, parse_sink_inputs
from tests.room_agent.player.conftest import Library
from tests.support.pcm import wait_for
from tests.support.pulse import PulseServer

PACTL = """Sink Input #0
\tCorked: no
\tBuffer Latency: 2900408 usec
\tProperties:
\t\tapplication.name = "pacat"
\t\tapplication.process.id = "5139"

Sink Input #1
\tCorked: no
\tBuffer Latency: 114784 usec
\tProperties:
\t\tmedia.role = "music"
\t\tapplication.id = "org.VideoLAN.VLC"
\t\tapplication.process.id = "42"

Sink Input #2
\tCorked: yes
\tBuffer Latency: 167913 usec
\tProperties:
\t\tmedia.role = "animation"
\t\tapplication.id = "org.VideoLAN.VLC"
\t\tapplication.process.id = "42"
"""


def test_only_vlc_streams_are_read_with_their_role_and_queued_audio() -> None:
    found = parse_sink_inputs(PACTL)
    assert [(s.role, s.pid, s.buffer_ms, s.corked) for s in found] == [
        ("music", 42, 114.784, False),
        ("animation", 42, 167.913, True),
    ]


def test_the_deck_with_more_audio_queued_is_heard_later_by_the_median_difference() -> None:
    readings = [
        {"music": 100.0, "animation": 125.0},
        {"music": 110.0, "animation": 134.0},
        {"music": 100.0},  # a reading that missed one stream does not count
        {"music": 90.0, "animation": 160.0},  # one outlier does not move the median
    ]
    assert lag_ms(readings, "animation", "music") == 25.0
    assert lag_ms([{"music": 1.0}], "animation", "music") is None


@pytest.mark.slow
def test_the_audio_server_shows_both_decks_streams_of_this_player(
    pulse: PulseServer, library: Library
) -> None:
    with VlcPlayer(PlayerConfig(audio=AudioOutput(OutputKind.PULSE))) as player:
        player.play(library.tracks)
        server = ServerLatency(enabled=True)
        assert server.available
        assert wait_for(lambda: {"music", "animation"} <= set(server.read()), 10)
        lag = server.lag_ms(player._main.role, player._shadow.role)
        assert lag is not None and abs(lag) < 200
