"""ktv-index from the command line: scan, search --json, chart, stats, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from media_index.cli import main

from .conftest import ScannedLibrary


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_scan_reports_a_summary_and_skipped_files(
    generated_library: Path, tmp_path: Path, capsys
) -> None:
    small = tmp_path / "small"
    small.mkdir()
    for name in ("刘若英 - 后来.mp3", "刘若英 - 后来.lrc"):
        shutil.copy(generated_library / name, small / name)
    shutil.copytree(generated_library / "broken", small / "broken")
    db = str(tmp_path / "c.sqlite")
    code, out, _ = run(capsys, "scan", str(small), "--db", db, "--quiet")
    assert code == 0
    assert "1 songs indexed" in out and "2 skipped" in out
    assert "garbage.mp3" in out and "empty file" in out


def test_search_json_is_machine_readable(scanned: ScannedLibrary, capsys) -> None:
    db = str(scanned.catalog.path)
    code, out, _ = run(capsys, "search", "hl", "--db", db, "--json")
    assert code == 0
    page = json.loads(out)
    assert page["songs"][0]["title"] == "后来"
    assert page["songs"][0]["vocal_mode"] == "channels"
    assert page["songs"][0]["vocal_channel"] == "right"


def test_search_table_and_filters(scanned: ScannedLibrary, capsys) -> None:
    db = str(scanned.catalog.path)
    code, out, _ = run(capsys, "search", "--db", db, "--vocal-mode", "tracks")
    assert code == 0 and "稻香" in out and "后来" not in out


def test_stats_chart_and_singers(scanned: ScannedLibrary, capsys) -> None:
    db = str(scanned.catalog.path)
    code, out, _ = run(capsys, "stats", "--db", db, "--json")
    assert code == 0 and json.loads(out)["songs"] == 9
    code, out, _ = run(capsys, "chart", "--db", db, "--new", "--json")
    assert code == 0 and len(json.loads(out)) == 9
    code, out, _ = run(capsys, "singers", "z", "--db", db)
    assert code == 0 and "周杰伦" in out


def test_publish_writes_a_version(scanned: ScannedLibrary, tmp_path: Path, capsys) -> None:
    dest = tmp_path / "out" / "catalog.sqlite"
    code, out, _ = run(capsys, "publish", str(dest), "--db", str(scanned.catalog.path))
    assert code == 0 and dest.exists() and "published version" in out


def test_errors_are_one_line_with_an_exit_code(tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, "search", "dx", "--db", str(tmp_path / "missing.sqlite"))
    assert code == 2 and err.strip().startswith("ktv-index: no catalog")
    code, _, err = run(capsys, "scan", str(tmp_path / "nowhere"), "--db", str(tmp_path / "c"))
    assert code == 11 and "does not exist" in err
    assert not (tmp_path / "c").exists()  # no catalog file made for a refused scan
    code, _, err = run(capsys, "scan", str(tmp_path), "--max-removal-percent", "150")
    assert code == 2 and "0-100" in err
    db = tmp_path / "c.sqlite"
    main(["scan", str(tmp_path), "--db", str(db), "--quiet"])
    capsys.readouterr()
    code, _, err = run(capsys, "search", "dx", "--db", str(db), "--limit", "0")
    assert code == 2 and "limit" in err and "Traceback" not in err
