"""Searchable first, analysed later (issue 23, point 2): the scan's first pass decodes
nothing; the analysis that follows measures loudness and the channel split at the lowest
priority, queued and hot songs first, and resumes where it stopped."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from media_index import Catalog, PlayOutcome, analysis, probe, settings
from media_index.analysis import BackgroundAnalyser, analyse
from media_index.cli import main
from media_index.model import Channel, VocalMode
from media_index.probe import ffprobe, low_priority_prefix, parse_streams, probe_streams
from media_index.records import AnalysisProgress
from media_index.scan import MEDIA_EXTENSIONS, scan


@pytest.fixture
def first_pass(generated_library: Path, tmp_path: Path):
    """The library scanned by the first pass only: nothing analysed yet."""
    root = tmp_path / "library"
    shutil.copytree(generated_library, root)
    cat = Catalog(tmp_path / "catalog.sqlite")
    report = scan(root, cat)
    yield root, cat, report
    cat.close()


def titles(cat: Catalog) -> dict:
    return {s.title: s for s in cat.search("", limit=100).songs}


def played(cat: Catalog, song_id: str, times: int) -> None:
    for n in range(times):
        cat.record_play(song_id, room="A01", session=f"s{n}", played_at=datetime.now(UTC),
                        outcome=PlayOutcome.COMPLETED, played_ms=200_000)  # fmt: skip


def test_the_first_pass_makes_every_song_searchable_and_playable_without_decoding(
    first_pass,
) -> None:
    _, cat, report = first_pass
    assert report.added == 9 and report.probed == 10
    st = cat.stats()
    assert (st.songs, st.analysed, st.analysis_pending, st.analysed_share) == (9, 0, 9, 0.0)
    assert cat.analysis_progress() == AnalysisProgress(songs=9, pending=9, failed=0)
    songs = titles(cat)
    for song in songs.values():
        assert 5_000 < song.duration_ms < 60_000 and song.loudness_lufs is None, song.title
    # what the container says is there already: two titled tracks, the sidecar's layout
    assert songs["稻香"].vocal_mode is VocalMode.TRACKS and songs["稻香"].has_video
    assert (songs["突然好想你"].vocal_track, songs["突然好想你"].accompaniment_track) == (1, 0)
    # a stereo-split MP3 is told from a one-mix one only by listening: after analysis
    assert songs["后来"].vocal_mode is VocalMode.NONE
    assert [s.title for s in cat.search("hl").songs] == ["后来"]


def test_the_first_pass_runs_no_ffmpeg_or_ffprobe(
    generated_library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spawned: list[str] = []
    real_run = subprocess.run
    monkeypatch.setattr(
        subprocess, "run", lambda args, **kw: spawned.append(args[0]) or real_run(args, **kw)
    )
    shutil.copytree(generated_library, tmp_path / "lib")
    with Catalog(tmp_path / "c.sqlite") as cat:
        assert scan(tmp_path / "lib", cat).added == 9
    assert spawned == []


def test_analysis_measures_loudness_and_the_channel_split(first_pass) -> None:
    _, cat, _ = first_pass
    version = cat.version
    report = analyse(cat, workers=2)
    assert (report.analysed, report.failed, report.remaining) == (9, 0, 0)
    st = cat.stats()
    assert (st.analysed, st.analysis_pending, st.analysed_share) == (9, 0, 1.0)
    progress = cat.analysis_progress()
    assert (progress.analysed, progress.pending, progress.share) == (9, 0, 1.0)
    songs = titles(cat)
    for song in songs.values():
        assert song.loudness_lufs is not None and -60 < song.loudness_lufs < 0, song.title
    assert songs["后来"].vocal_mode is VocalMode.CHANNELS
    assert songs["后来"].vocal_channel is Channel.RIGHT
    assert songs["甜蜜蜜"].vocal_mode is VocalMode.NONE
    assert cat.version != version  # rooms get the analysed catalog as a new version


def test_analysis_resumes_after_a_restart_and_never_repeats_a_song(
    first_pass, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, cat, _ = first_pass
    measured: list[str] = []
    real = analysis.analyse_streams
    monkeypatch.setattr(
        analysis,
        "analyse_streams",
        lambda p, facts, track, **kw: measured.append(p.name) or real(p, facts, track, **kw),
    )
    first = analyse(cat, limit=4)
    assert (first.analysed, first.remaining) == (4, 5)
    path = cat.path
    cat.close()
    with Catalog(path) as again:  # the process restarted: the state is in the catalog
        assert again.stats().analysis_pending == 5
        rest = analyse(again)
        assert (rest.analysed, rest.remaining) == (5, 0)
    assert len(measured) == 9 and len(set(measured)) == 9


def test_queued_songs_go_first_then_hot_ones(first_pass) -> None:
    _, cat, _ = first_pass
    songs = titles(cat)
    queued, hot = songs["月亮代表我的心"].song_id, songs["甜蜜蜜"].song_id
    played(cat, hot, 3)
    played(cat, songs["后来"].song_id, 1)
    analyse(cat, first=[queued], limit=1)
    done = {t for t, s in titles(cat).items() if s.loudness_lufs is not None}
    assert done == {"月亮代表我的心"}
    analyse(cat, limit=2)
    done = {t for t, s in titles(cat).items() if s.loudness_lufs is not None}
    assert done == {"月亮代表我的心", "甜蜜蜜", "后来"}


def test_decodes_run_at_the_lowest_cpu_and_io_priority() -> None:
    prefix = low_priority_prefix()
    assert prefix[:3] == ("nice", "-n", "19")
    out = subprocess.run(
        [*prefix, sys.executable, "-c", "import os; print(os.nice(0))"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert out.strip() == "19"
    if "ionice" in prefix:
        shown = subprocess.run(
            [*prefix, "ionice"], capture_output=True, text=True, check=True
        ).stdout  # ionice without arguments prints the class it runs in
        assert shown.strip() == "idle"


def test_a_file_changed_since_the_scan_waits_for_the_next_scan(first_pass) -> None:
    root, cat, _ = first_pass
    os.utime(root / "chonglai.mp3", ns=(1, 1))
    report = analyse(cat)
    assert (report.analysed, report.skipped, report.remaining) == (8, 1, 1)
    assert scan(root, cat).updated == 1
    assert analyse(cat).analysed == 1 and cat.stats().analysis_pending == 0


def test_a_decode_that_fails_is_marked_failed_and_not_retried(
    first_pass, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, cat, _ = first_pass
    target = titles(cat)["稻香"].song_id
    monkeypatch.setattr(settings, "loudness_timeout_s", 0.001)  # real ffmpeg, cut short
    report = analyse(cat, first=[target], limit=1)
    assert (report.analysed, report.failed) == (0, 1)
    monkeypatch.undo()
    report = analyse(cat)
    assert (report.analysed, report.failed, report.remaining) == (8, 0, 0)
    st = cat.stats()
    assert (st.analysed, st.analysis_failed, st.analysed_share) == (8, 1, 1.0)
    assert cat.get(target).loudness_lufs is None  # plays at the default gain


def test_the_in_process_probe_sees_what_ffprobe_sees(generated_library: Path) -> None:
    files = [
        p for p in sorted(generated_library.rglob("*"))
        if p.suffix.lower() in MEDIA_EXTENSIONS and p.parent.name != "broken"
    ]  # fmt: skip
    assert len(files) == 9
    for path in files:
        fast, slow = probe_streams(path), parse_streams(ffprobe(path))
        # PyAV bundles a newer libavformat than Debian's ffprobe: MP3 durations may differ
        # by an encoder delay's worth (~50 ms); everything else is the same
        assert abs(fast.duration_ms - slow.duration_ms) <= 60, path.name
        assert replace(fast, duration_ms=0) == replace(slow, duration_ms=0), path.name


def test_a_background_analyser_works_through_the_catalog_and_stops(first_pass) -> None:
    _, cat, _ = first_pass
    analyser = BackgroundAnalyser(cat, workers=1, idle_poll_s=0.05)
    analyser.prioritise([titles(cat)["后来"].song_id])
    analyser.start()
    try:
        deadline = time.monotonic() + 120
        # the count moves when a run of analyse() returns, just after its last batch landed
        while (cat.stats().analysis_pending or analyser.analysed < 9) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.05)
        assert cat.stats().analysis_pending == 0 and analyser.analysed == 9
    finally:
        analyser.stop()
    analyser.stop()  # idempotent
    assert not analyser._thread.is_alive()


def test_scan_then_analyse_from_the_command_line(
    generated_library: Path, tmp_path: Path, capsys
) -> None:
    shutil.copytree(generated_library, tmp_path / "lib")
    db = str(tmp_path / "c.sqlite")
    assert main(["scan", str(tmp_path / "lib"), "--db", db, "--quiet", "--no-analyse"]) == 0
    assert "Searchable now" in capsys.readouterr().out
    assert main(["stats", "--db", db, "--json"]) == 0
    st = json.loads(capsys.readouterr().out)
    assert (st["analysis_pending"], st["analysed_share"]) == (9, 0.0)
    assert main(["analyse", "--db", db, "--quiet", "--limit", "2"]) == 0
    assert "analysed 2 songs" in capsys.readouterr().out
    assert main(["analyse", "--db", db, "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "analysed 7 songs" in out and "Analysis 9 of 9 songs (100%)" in out
    assert main(["stats", "--db", db]) == 0
    assert "9 of 9 (100%)" in capsys.readouterr().out


def test_one_decode_measures_a_stereo_track_as_two_did(generated_library: Path) -> None:
    stereo = [p for p in sorted(generated_library.glob("*.mp3")) if p.stat().st_size]
    assert len(stereo) >= 4
    seen = set()
    for path in stereo:
        together = probe.measure_loudness_and_split(path)
        apart = (probe.measure_loudness(path, 0), probe.measure_stereo_split(path))
        assert together == apart, path.name
        seen.add(together[1])
    assert seen == {True, False}  # split files and plain stereo mixes among them


def test_an_analysis_never_brings_back_a_song_a_scan_removed_meanwhile(first_pass) -> None:
    root, cat, _ = first_pass
    pending = cat.pending_analysis(2)
    entries = [analysis.analyse_one(p, {}) for p in pending]  # decoded...
    (root / Path(pending[0].path).name).unlink()  # ...while a scan elsewhere removes one
    scan(root, cat, allow_removals=True)
    cat.put_entries(entries, if_unchanged=True)
    assert cat.stats().removed == 1
    with pytest.raises(Exception, match="no song"):
        cat.get(pending[0].song_id)
    assert cat.get(pending[1].song_id).loudness_lufs is not None
