"""Rescans that never destroy (issue 23, point 1): a root that is missing, empty, unmarked,
another library's or not on the venue's mount is refused with one line and its own exit code;
a scan that would remove more than 10 % of the songs stops before writing; removed songs are
tombstones that come back with their identity and plays when their files return."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from media_index import Catalog, PlayOutcome
from media_index import scan as scan_module
from media_index.cli import main
from media_index.guard import (
    MARKER_NAME,
    LibraryRefused,
    RemovalsRefused,
    check_removals,
    parse_marker,
)
from media_index.scan import scan

from .conftest import ScannedLibrary

SIX_OF_NINE = (  # files of six songs: 67 % of the catalog
    "daoxiang.mkv",
    "刘若英 - 后来.mp3",
    "track-tianmimi.mp3",
    "chonglai.mp3",
    "kitaguni.mkv",
    "aidedaijia.mp3",
)


def snapshot(cat: Catalog) -> tuple:
    songs = cat.search("", limit=100).songs
    return cat.version, sorted((s.song_id, s.path) for s in songs), cat.stats().removed


def added_at(cat: Catalog) -> dict[str, int]:
    with sqlite3.connect(cat.path) as conn:
        return dict(conn.execute("SELECT song_id, added_at FROM song").fetchall())


def cli(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_first_scan_marks_the_library_and_the_catalog_remembers_it(
    scanned: ScannedLibrary,
) -> None:
    marker = parse_marker((scanned.root / MARKER_NAME).read_text("utf-8"))
    assert marker and marker.startswith("lib-")
    assert scanned.catalog.meta("library_id") == marker
    assert scanned.catalog.meta("library_root") == str(scanned.root.resolve())


def test_an_empty_root_is_refused_and_the_catalog_stays_whole(
    scanned: ScannedLibrary, tmp_path: Path, capsys
) -> None:
    cat = scanned.catalog
    before = snapshot(cat)
    # an unmounted NAS: the mount point is there, empty, but keeps no marker either
    empty = tmp_path / "nas"
    empty.mkdir()
    with pytest.raises(LibraryRefused, match=r"has no \.ktv-library\.toml") as e:
        scan(empty, cat)
    assert e.value.reason == "LIBRARY_UNMARKED"
    # the library folder itself, emptied (its marker left behind)
    for item in scanned.root.iterdir():
        if item.name != MARKER_NAME:
            shutil.rmtree(item) if item.is_dir() else item.unlink()
    with pytest.raises(LibraryRefused, match="holds no media files") as e:
        scan(scanned.root, cat)
    assert e.value.reason == "LIBRARY_EMPTY" and e.value.exit_code == 11
    assert snapshot(cat) == before
    code, out, err = cli(capsys, "scan", str(scanned.root), "--db", str(cat.path), "--quiet")
    assert code == 11 and out == ""
    assert err.count("\n") == 1 and "holds no media files" in err and "mounted" in err
    assert snapshot(cat) == before


def test_a_missing_root_is_refused(scanned: ScannedLibrary, tmp_path: Path, capsys) -> None:
    cat = scanned.catalog
    before = snapshot(cat)
    with pytest.raises(LibraryRefused, match="does not exist") as e:
        scan(tmp_path / "nowhere", cat)
    assert e.value.reason == "LIBRARY_MISSING"
    code, _, err = cli(capsys, "scan", str(tmp_path / "nowhere"), "--db", str(cat.path))
    assert code == 11 and err.count("\n") == 1 and "does not exist" in err
    assert snapshot(cat) == before


def test_an_unmarked_root_is_refused_until_adopted(scanned: ScannedLibrary, capsys) -> None:
    cat = scanned.catalog
    library_id = cat.meta("library_id")
    (scanned.root / MARKER_NAME).unlink()
    before = snapshot(cat)
    code, _, err = cli(capsys, "scan", str(scanned.root), "--db", str(cat.path), "--quiet")
    assert code == 11 and "no .ktv-library.toml" in err and "--adopt" in err
    assert snapshot(cat) == before
    code, out, _ = cli(
        capsys, "scan", str(scanned.root), "--db", str(cat.path), "--quiet", "--adopt"
    )
    assert code == 0 and "9 unchanged" in out
    assert parse_marker((scanned.root / MARKER_NAME).read_text("utf-8")) == library_id


def test_another_librarys_root_is_refused(scanned: ScannedLibrary) -> None:
    (scanned.root / MARKER_NAME).write_text('library_id = "lib-0123456789abcdef"\n', "utf-8")
    with pytest.raises(LibraryRefused, match="is library lib-0123456789abcdef") as e:
        scan(scanned.root, scanned.catalog)
    assert e.value.reason == "LIBRARY_MISMATCH"


def test_a_root_off_the_venues_mount_is_refused_and_the_mount_is_remembered(
    scanned: ScannedLibrary, tmp_path: Path
) -> None:
    cat = scanned.catalog
    not_a_mount = tmp_path / "nas"
    not_a_mount.mkdir()
    with pytest.raises(LibraryRefused, match="not on the mount") as e:
        scan(scanned.root, cat, mount=not_a_mount)
    assert e.value.reason == "LIBRARY_NOT_MOUNTED"
    assert scan(scanned.root, cat, mount="/").unchanged == 9  # "/" is a mount holding it
    assert cat.meta("library_mount") == "/"
    cat.set_meta({"library_mount": str(not_a_mount)})  # as if configured with --mount earlier
    with pytest.raises(LibraryRefused, match="not on the mount"):
        scan(scanned.root, cat)  # no --mount given: the catalog's applies


def test_a_scan_that_would_remove_60_percent_stops_before_writing(
    scanned: ScannedLibrary, tmp_path: Path, capsys
) -> None:
    cat = scanned.catalog
    away = tmp_path / "away"
    away.mkdir()
    for name in SIX_OF_NINE:
        shutil.move(scanned.root / name, away / name)
    (scanned.root / "new").mkdir()  # and a new song arrived: it must not be written either
    shutil.copy2(away / "chonglai.mp3", scanned.root / "new" / "copy.mp3")
    before = snapshot(cat)
    with pytest.raises(RemovalsRefused, match="remove 5 of 9 songs") as e:
        scan(scanned.root, cat)
    assert e.value.reason == "LIBRARY_REMOVALS_REFUSED" and e.value.exit_code == 12
    (scanned.root / "new" / "copy.mp3").unlink()
    code, out, err = cli(capsys, "scan", str(scanned.root), "--db", str(cat.path), "--quiet")
    assert code == 12 and out == "" and err.count("\n") == 1
    assert "remove 6 of 9 songs (67%)" in err and "--allow-removals" in err
    assert snapshot(cat) == before
    code, out, _ = cli(
        capsys, "scan", str(scanned.root), "--db", str(cat.path), "--quiet", "--allow-removals"
    )
    assert code == 0 and "6 removed" in out
    assert cat.stats().songs == 3 and cat.stats().removed == 6
    assert cat.search("dx").songs == []


def test_a_configured_share_lets_small_removals_through() -> None:
    check_removals(known=100, removing=10, max_share=0.10, allowed=False)  # exactly 10 %: ok
    with pytest.raises(RemovalsRefused):
        check_removals(known=100, removing=11, max_share=0.10, allowed=False)
    check_removals(known=100, removing=30, max_share=0.50, allowed=False)
    check_removals(known=100, removing=100, max_share=0.10, allowed=True)


def test_files_that_come_back_keep_their_identity_and_plays(
    scanned: ScannedLibrary, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cat, root = scanned.catalog, scanned.root
    songs = {s.title: s for s in cat.search("", limit=100).songs}
    houlai, daoxiang = songs["后来"], songs["稻香"]
    now = datetime.now(UTC)
    for n, song in enumerate((houlai, houlai, daoxiang)):
        cat.record_play(song.song_id, room="A01", session=f"s{n}", played_at=now,
                        outcome=PlayOutcome.COMPLETED, played_ms=200_000)  # fmt: skip
    with sqlite3.connect(cat.path) as conn:  # first seen long ago
        conn.execute("UPDATE song SET added_at = 1000000000")
    first_seen = added_at(cat)
    away = tmp_path / "away"
    away.mkdir()
    for name in ("刘若英 - 后来.mp3", "daoxiang.mkv"):
        shutil.move(root / name, away / name)
    report = scan(root, cat, allow_removals=True)
    assert report.removed == 2 and cat.hot(days=None) == []
    # 后来 comes back where it was (by path: its size and mtime match, no hashing needed);
    # 稻香 comes back somewhere else (by content: the same fingerprint)
    shutil.move(away / "刘若英 - 后来.mp3", root / "刘若英 - 后来.mp3")
    (root / "returned").mkdir()
    shutil.move(away / "daoxiang.mkv", root / "returned" / "daoxiang.mkv")
    hashed: list[str] = []
    real_identity = scan_module.identity
    monkeypatch.setattr(
        scan_module, "identity", lambda p, size: hashed.append(p.name) or real_identity(p, size)
    )
    report = scan(root, cat)
    assert (report.restored, report.added, report.probed, report.removed) == (2, 0, 0, 0)
    assert hashed == ["daoxiang.mkv"]
    assert cat.get(houlai.song_id).path == str((root / "刘若英 - 后来.mp3").resolve())
    assert Path(cat.get(daoxiang.song_id).path).parent.name == "returned"
    assert [s.song_id for s in cat.hot(days=None)] == [houlai.song_id, daoxiang.song_id]
    assert cat.search("hl").songs[0].song_id == houlai.song_id
    assert added_at(cat) == first_seen  # not a new arrival again
    assert cat.get(daoxiang.song_id).loudness_lufs == daoxiang.loudness_lufs  # analysis kept
    assert cat.stats().removed == 0 and cat.stats().analysis_pending == 0


def test_a_library_that_cannot_be_marked_is_scanned_with_a_warning(
    generated_library: Path, tmp_path: Path
) -> None:
    root = tmp_path / "read-only-share"
    shutil.copytree(generated_library, root)
    (root / MARKER_NAME).mkdir()  # the marker cannot be written (as on a read-only share)
    (root / MARKER_NAME / "x").write_text("", "utf-8")
    with Catalog(tmp_path / "c.sqlite") as cat:
        report = scan(root, cat)
        assert report.added == 9
        assert any("cannot write the library marker" in w.reason for w in report.warnings)
        assert cat.meta("library_id") == ""  # so an unmarked rescan is not refused
        assert scan(root, cat).unchanged == 9
        for name in SIX_OF_NINE:  # the removal check still protects it
            (root / name).unlink()
        with pytest.raises(RemovalsRefused):
            scan(root, cat)
