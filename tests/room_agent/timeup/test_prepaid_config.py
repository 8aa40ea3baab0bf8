"""agent.toml [prepaid]: the venue's warning marks, grace and fade; bad values in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from ktv.errors import InvalidArgument
from room_agent.config import load_config
from room_agent.core.time_left import TimePolicy


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "agent.toml"
    path.write_text('room = "A08"\n' + text, encoding="utf-8")
    return path


def test_a_venue_without_a_prepaid_table_warns_at_10_and_5_and_stops_on_time(tmp_path):
    assert load_config(write(tmp_path, "")).prepaid == TimePolicy((10, 5), 0, 3000)


def test_a_venue_that_prefers_a_grace_and_other_marks_gets_them(tmp_path):
    text = "[prepaid]\nwarn_at_minutes = [15, 5, 1]\ngrace_s = 300\nfade_ms = 5000\n"
    assert load_config(write(tmp_path, text)).prepaid == TimePolicy((15, 5, 1), 300, 5000)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[prepaid]\nwarn_at_minutes = [10, -5]\n", "positive"),
        ("[prepaid]\ngrace_s = -1\n", "negative"),
        ("[prepaid]\nfade_ms = 1.5\n", "prepaid.fade_ms"),
        ("[prepaid]\nwarn_at_minutes = 10\n", "prepaid.warn_at_minutes"),
        ("[prepaid]\ngrace = 60\n", "prepaid.grace"),
        ('prepaid = "yes"\n', "[prepaid] table"),
    ],
)
def test_bad_prepaid_settings_are_one_clear_line_naming_the_file(tmp_path, text, says):
    with pytest.raises(InvalidArgument) as refused:
        load_config(write(tmp_path, text))
    assert says in refused.value.message and "agent.toml" in refused.value.message
