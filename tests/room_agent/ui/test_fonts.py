"""The SC font the touchscreen registers: the right face, every character, cheap to open.

The suite saves it once into ``$KTV_FONT_DIR`` (tests/conftest.py); on a fresh machine the
first test here pays for that (~30 s, both weights).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fontTools.pens.recordingPen import RecordingPen
from fontTools.ttLib import TTCollection, TTFont

from room_agent.ui import fonts
from room_agent.ui.fonts import (
    COLLECTION_CANDIDATES,
    FontPreparationError,
    font_file,
    fonts_dir,
    sc_font,
)


def _collection(weight: str) -> Path:
    candidates = (Path(str(c).format(weight=weight)) for c in COLLECTION_CANDIDATES)
    return next(path for path in candidates if path.exists())


def _outline(font: TTFont, char: str) -> list:
    pen = RecordingPen()
    font.getGlyphSet()[font.getBestCmap()[ord(char)]].draw(pen)
    return pen.value


@pytest.fixture(scope="module")
def saved() -> fonts.CjkFont:
    return sc_font()


@pytest.mark.parametrize("weight", ["Regular", "Bold"])
def test_the_saved_face_draws_every_character_of_the_sc_face_with_its_shapes(
    saved: fonts.CjkFont, weight: str
) -> None:
    path = saved.regular if weight == "Regular" else saved.bold
    assert path is not None
    font = TTFont(str(path))
    faces = TTCollection(str(_collection(weight))).fonts
    collection_sc = next(
        f for f in faces if f["name"].getDebugName(1).startswith("Noto Sans CJK SC")
    )
    assert font["name"].getDebugName(1).startswith("Noto Sans CJK SC")
    # not one character lost: the same map, the same outlines and advances
    assert set(font.getBestCmap()) == set(collection_sc.getBestCmap())
    for char in "骨直角周杰伦七里香Ag1，《》한ひ":
        assert _outline(font, char) == _outline(collection_sc, char), char
        glyph, sc_glyph = font.getBestCmap()[ord(char)], collection_sc.getBestCmap()[ord(char)]
        assert font["hmtx"][glyph] == collection_sc["hmtx"][sc_glyph]
    # and the simplified shapes, not face 0's Japanese ones: 骨 differs between them
    assert _outline(font, "骨") != _outline(faces[0], "骨")


def test_the_saved_face_has_no_subroutines_so_each_size_opens_cheaply(
    saved: fonts.CjkFont,
) -> None:
    """FreeType copies a CFF font's subroutines into every face it opens (Kivy: one per size
    and weight); the collection's SC face has megabytes of them."""
    cff = TTFont(str(saved.regular))["CFF "].cff
    top = cff[cff.fontNames[0]]
    assert len(cff.GlobalSubrs) == 0
    assert not any(hasattr(fd.Private, "Subrs") for fd in top.FDArray)
    collection_cff = TTCollection(str(_collection("Regular"))).fonts[2]["CFF "].cff
    assert len(collection_cff.GlobalSubrs) > 1000  # what was removed


def test_a_saved_font_is_reused_and_older_formats_and_leftovers_are_removed(
    saved: fonts.CjkFont, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mtime = saved.regular.stat().st_mtime_ns
    assert sc_font().regular.stat().st_mtime_ns == mtime  # not saved again
    # a data dir that holds the earlier format (and this one, copied): the old file goes
    monkeypatch.setenv("KTV_FONT_DIR", str(tmp_path / "fonts"))
    directory = fonts_dir()
    directory.mkdir()
    old = directory / "NotoSansCJKsc-Regular.otf"
    old.write_bytes(b"the subroutinized face an earlier version saved")
    killed = directory / "NotoSansCJKsc-Bold.sc2.4242.part"
    killed.write_bytes(b"half a font")
    for weight, path in (("Regular", saved.regular), ("Bold", saved.bold)):
        os.link(path, font_file(directory, weight))
    again = sc_font()
    assert again.regular == font_file(directory, "Regular")
    assert not old.exists() and not killed.exists()


def test_the_font_dir_is_the_data_dirs_unless_one_is_shared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KTV_FONT_DIR")
    assert fonts_dir(tmp_path) == tmp_path / "fonts"
    monkeypatch.setenv("KTV_FONT_DIR", str(tmp_path / "shared"))
    assert fonts_dir(tmp_path) == tmp_path / "shared"


def test_a_collection_that_cannot_be_read_is_one_clear_error_and_no_file(tmp_path: Path) -> None:
    broken = tmp_path / "NotoSansCJK-Regular.ttc"
    broken.write_bytes(b"ttcf" + b"\0" * 64)
    target = tmp_path / "fonts" / "out.otf"
    with pytest.raises(FontPreparationError) as raised:
        fonts._save_in_child(broken, target)
    message = str(raised.value)
    assert "\n" not in message and str(broken) in message
    assert not target.exists()
    assert not list(tmp_path.rglob("*.part"))


def test_no_collection_installed_names_the_debian_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KTV_FONT_DIR", str(tmp_path / "fonts"))
    monkeypatch.setattr(fonts, "COLLECTION_CANDIDATES", (tmp_path / "none-{weight}.ttc",))
    with pytest.raises(FileNotFoundError, match="fonts-noto-cjk"):
        sc_font()


def test_ktv_agent_fonts_saves_the_font_at_install_time_and_prints_where(
    saved: fonts.CjkFont, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from room_agent import cli

    assert cli.main(["fonts", "--room", "A08", "--data-dir", str(tmp_path)]) == 0
    printed = capsys.readouterr().out.split()
    assert printed == [str(saved.regular), str(saved.bold)]  # the suite's shared font dir


def test_ktv_agent_fonts_without_the_collection_is_one_line_and_exit_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from room_agent import cli

    monkeypatch.setenv("KTV_FONT_DIR", str(tmp_path / "fonts"))
    monkeypatch.setattr(fonts, "COLLECTION_CANDIDATES", (tmp_path / "none-{weight}.ttc",))
    assert cli.main(["fonts", "--room", "A08", "--data-dir", str(tmp_path)]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("ktv-agent: error: ")
    assert "fonts-noto-cjk" in err


def test_ktv_agent_fonts_with_a_broken_collection_is_one_line_and_exit_5(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from room_agent import cli

    (tmp_path / "broken-Regular.ttc").write_bytes(b"ttcf" + b"\0" * 64)
    monkeypatch.setenv("KTV_FONT_DIR", str(tmp_path / "fonts"))
    monkeypatch.setattr(fonts, "COLLECTION_CANDIDATES", (tmp_path / "broken-{weight}.ttc",))
    assert cli.main(["fonts", "--room", "A08", "--data-dir", str(tmp_path)]) == 5
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "could not save the SC face" in err
    assert not list((tmp_path / "fonts").glob("*.otf"))


def test_the_font_step_is_refused_where_its_peak_would_not_fit(tmp_path) -> None:
    """Issue 24: the ~600 MB child on a 1 GB Pi 4 beside a playing agent. Bounded: refused
    with what to do instead (make the fonts on a bigger machine and copy them)."""
    from room_agent.ui import fonts

    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal: 944000 kB\nMemAvailable: 402000 kB\n", encoding="ascii")
    assert fonts.available_memory_mb(meminfo) == 392
    with pytest.raises(fonts.FontPreparationError, match="bigger machine"):
        fonts.check_memory_for_fonts(fonts.available_memory_mb(meminfo))
    fonts.check_memory_for_fonts(4000)  # a PC: fine
    fonts.check_memory_for_fonts(None)  # no /proc/meminfo: not refused on a guess
    assert fonts.available_memory_mb(tmp_path / "absent") is None
