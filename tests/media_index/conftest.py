"""Fixtures: a small real song library generated once per test session, copied per test."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from media_index import Catalog, CatalogEntry, FileStamp, Song
from media_index.analysis import analyse
from media_index.demo_library import generate
from media_index.demo_songs import by_stem
from media_index.guard import MARKER_NAME
from media_index.scan import ScanReport, scan

LIBRARY_STEMS = (
    "daoxiang",  # dual-track MKV, sidecar, word-timed LRC
    "houlai",  # stereo-split MP3, file name only
    "yueliang",  # stereo-split MP3, file name with version, GBK LRC
    "tianmimi",  # one-mix MP3 with embedded tags, anonymous file name
    "turanhaoxiangni",  # MPEG-PS with untitled tracks; the sidecar says which is which
    "aidedaijia",  # sidecar in traditional characters
    "chonglai",  # polyphonic title 重来
    "lianqu1990",  # no lyrics
    "kitaguni",  # Japanese title with kana
)


@pytest.fixture(scope="session")
def generated_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("library")
    generate(root, [by_stem(s) for s in LIBRARY_STEMS], lines=2, workers=2)
    (root / "broken").mkdir()
    (root / "broken" / "empty.mp3").write_bytes(b"")
    (root / "broken" / "garbage.mp3").write_bytes(bytes(range(256)) * 64)
    return root


@dataclass
class ScannedLibrary:
    root: Path
    catalog: Catalog
    report: ScanReport


@pytest.fixture(scope="session")
def _scanned_template(generated_library: Path, tmp_path_factory: pytest.TempPathFactory):
    """The library scanned once, at a fixed working path, so per-test rescans are incremental."""
    base = tmp_path_factory.mktemp("scanned")
    work, db = base / "library", base / "template.sqlite"
    shutil.copytree(generated_library, work)
    with Catalog(db) as cat:
        report = scan(work, cat)
        analyse(cat, workers=2)
    return work, db, report, (work / MARKER_NAME).read_bytes()


@pytest.fixture
def scanned(_scanned_template, generated_library: Path, tmp_path: Path):
    """The scanned and analysed library restored to its first-scan state (with the marker
    the first scan wrote), with a private catalog copy."""
    work, db, report, marker = _scanned_template
    shutil.rmtree(work)
    shutil.copytree(generated_library, work)  # copy2 keeps mtimes: the catalog still matches
    (work / MARKER_NAME).write_bytes(marker)
    mine = tmp_path / "catalog.sqlite"
    shutil.copy(db, mine)
    cat = Catalog(mine)
    yield ScannedLibrary(work, cat, report)
    cat.close()


@pytest.fixture
def catalog(tmp_path: Path):
    cat = Catalog(tmp_path / "catalog.sqlite")
    yield cat
    cat.close()


def entry(song_id: str, title: str, *artists: str, popularity: int = 0, **song) -> CatalogEntry:
    """A catalog entry without a media file (search tests do not need one)."""
    return CatalogEntry(
        Song(song_id, title, tuple(artists), f"/songs/{song_id}.mkv", **song),
        FileStamp(1, 1),
        base_popularity=popularity,
    )
