"""The source is held to the catalogue of reasons (ktv/reasons.py), by reading its syntax trees:
every reason raised is catalogued, every catalogued reason is raised, clients branch only on
catalogued reasons, names are AIP-193 UPPER_SNAKE_CASE, docs/errors.md is current. The checks
bite: a scratch tree with an unknown reason, a renamed one and a dead entry fails each."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest

from ktv import reason_scan, reasons
from ktv.reason_scan import Scan, scan_tree

# AIP-193: reason is UPPER_SNAKE_CASE, [A-Z][A-Z0-9_]+[A-Z0-9], at most 63 characters
NAME = re.compile(r"^[A-Z][A-Z0-9_]{0,61}[A-Z0-9]$")


@pytest.fixture(scope="module")
def scan() -> Scan:
    return scan_tree()


def missing(scan: Scan, catalogue: dict[str, str] = reasons.REASONS) -> list[str]:
    """One line per raise site whose reason is not catalogued, with the line to add."""
    statuses = reason_scan.statuses(scan)
    lines = []
    for site in sorted(scan.raised, key=lambda s: (s.reason, s.where)):
        if site.reason in catalogue:
            continue
        new = reasons.RENAMED.get(site.reason)
        if new:
            lines.append(f"{site.where}: {site.reason} was renamed in 0.2: use {new}")
        else:
            status = ", ".join(statuses.get(site.reason, [])) or "?"
            lines.append(
                f"{site.where}: {site.reason} ({status}) is not in ktv/reasons.py: add "
                f'"{site.reason}": "what happened; what the caller can do",'
            )
    return lines


def dead(scan: Scan, catalogue: dict[str, str] = reasons.REASONS) -> list[str]:
    return sorted(set(catalogue) - scan.raised_reasons())


def unknown_reads(scan: Scan, catalogue: dict[str, str] = reasons.REASONS) -> list[str]:
    return [
        f"{s.where}: branches on {s.reason}, which nothing raises"
        + (f" (renamed: {reasons.RENAMED[s.reason]})" if s.reason in reasons.RENAMED else "")
        for s in scan.read
        if s.reason not in catalogue
    ]


def test_every_reason_raised_is_in_the_catalogue(scan: Scan) -> None:
    assert len(scan.raised) > 200  # the scan sees the tree (241 raise sites in 0.2)
    problems = missing(scan)
    assert not problems, "\n".join(["reasons missing from the catalogue:", *problems])


def test_every_catalogued_reason_is_raised_somewhere(scan: Scan) -> None:
    assert not dead(scan), f"catalogued but never raised (remove them): {dead(scan)}"


def test_clients_branch_only_on_catalogued_reasons(scan: Scan) -> None:
    read = {s.reason for s in scan.read}
    assert {"PREPAY_REQUIRED", "WRONG_PIN", "PIN_LOCKED", "NO_OPEN_SESSION"} <= read
    problems = unknown_reads(scan)
    assert not problems, "\n".join(problems)


def test_reason_names_are_upper_snake_case(scan: Scan) -> None:
    names = set(reasons.REASONS) | scan.raised_reasons() | set(reasons.RENAMED.values())
    bad = sorted(n for n in names if not NAME.fullmatch(n) or "__" in n)
    assert not bad, f"not UPPER_SNAKE_CASE (AIP-193): {bad}"


def test_no_reason_is_built_at_run_time(scan: Scan) -> None:
    assert not scan.dynamic, "\n".join(f"{s.where}: reason={s.reason}" for s in scan.dynamic)


def test_renamed_reasons_are_gone_and_point_at_catalogued_ones(scan: Scan) -> None:
    assert not set(reasons.RENAMED) & set(reasons.REASONS)
    assert set(reasons.RENAMED.values()) <= set(reasons.REASONS)
    assert not set(reasons.RENAMED) & scan.raised_reasons()
    assert reasons.meaning("NO_SESSION") == reasons.REASONS["NO_OPEN_SESSION"]
    assert reasons.meaning("NO_SUCH_REASON") == ""


def test_each_area_lists_a_reason_once() -> None:
    names = [name for area in reasons.AREAS.values() for name in area]
    assert len(names) == len(set(names)) == len(reasons.REASONS)
    assert all(text and "\n" not in text for text in reasons.REASONS.values())


def test_docs_errors_md_is_current(scan: Scan) -> None:
    text = reason_scan.render_doc(scan)
    assert reason_scan.DOC.read_text(encoding="utf-8") == text, (
        "docs/errors.md is stale: run .venv/bin/python -m ktv.reason_scan --write"
    )
    assert "| `ROOM_OCCUPIED` | FAILED_PRECONDITION |" in text
    assert "| `PIN_LOCKED` | FAILED_PRECONDITION, UNAUTHENTICATED |" in text


# --- the checks bite: a scratch tree ------------------------------------------------------------

_SCRATCH = """
from ktv.errors import FailedPrecondition, InvalidArgument, KtvError
from google.rpc import error_details_pb2

DEFAULT = "FROM_A_CONSTANT"


class Overbooked(FailedPrecondition):
    default_reason = "FROM_A_CLASS"


def check(text, what, reason="FROM_A_DEFAULT"):
    if not text:
        raise InvalidArgument(what, reason=reason)


def board_note(room, reason=""):  # free text, not a machine reason
    return room, reason


def run(x, reason):
    check(x, "x", "FROM_A_POSITIONAL")
    check(x, "x", reason="FROM_A_KEYWORD")
    board_note("A08", reason="cleaning done")
    error_details_pb2.ErrorInfo(reason="FROM_ERROR_INFO")
    if x == 1:
        raise KtvError("x", reason=reason or "FROM_A_FALLBACK")
    if x == 2:
        raise FailedPrecondition("x", reason=DEFAULT)
    if x == 3:
        raise FailedPrecondition("x", reason="NO_SESSION")
    if x == 4:
        raise FailedPrecondition("x", reason=f"ROOM_{x}")
    return reason == "READ_BY_A_CLIENT"
"""


def _scratch(tmp_path: Path) -> Scan:
    package = tmp_path / "ktv"
    package.mkdir()
    shutil.copy(reason_scan.ROOT / "ktv" / "errors.py", package / "errors.py")
    (package / "scratch.py").write_text(textwrap.dedent(_SCRATCH), encoding="utf-8")
    return scan_tree(tmp_path, ["ktv"])


def _line(text: str) -> int:
    return next(i for i, line in enumerate(_SCRATCH.splitlines(), 1) if text in line)


def test_the_scan_sees_every_kind_of_raise_site_and_only_those(tmp_path: Path) -> None:
    scan = _scratch(tmp_path)
    raised = {(s.reason, s.where, s.status) for s in scan.raised if "scratch" in s.where}
    where = "ktv/scratch.py:"
    assert raised == {
        ("FROM_A_CLASS", f"{where}{_line('default_reason')}", "FAILED_PRECONDITION"),
        ("FROM_A_DEFAULT", f"{where}{_line('def check')}", "INVALID_ARGUMENT"),
        ("FROM_A_POSITIONAL", f"{where}{_line('FROM_A_POSITIONAL')}", "INVALID_ARGUMENT"),
        ("FROM_A_KEYWORD", f"{where}{_line('FROM_A_KEYWORD')}", "INVALID_ARGUMENT"),
        ("FROM_ERROR_INFO", f"{where}{_line('FROM_ERROR_INFO')}", ""),
        ("FROM_A_FALLBACK", f"{where}{_line('FROM_A_FALLBACK')}", "INTERNAL"),
        ("FROM_A_CONSTANT", f"{where}{_line('reason=DEFAULT')}", "FAILED_PRECONDITION"),
        ("NO_SESSION", f"{where}{_line('NO_SESSION')}", "FAILED_PRECONDITION"),
    }
    assert [(s.reason, s.where) for s in scan.dynamic] == [
        ("f'ROOM_{x}'", f"{where}{_line('ROOM_{x}')}")
    ]
    assert [(s.reason, s.where) for s in scan.read] == [
        ("READ_BY_A_CLIENT", f"{where}{_line('READ_BY_A_CLIENT')}")
    ]


def test_an_unknown_reason_fails_with_exactly_its_file_and_line(tmp_path: Path) -> None:
    scan = _scratch(tmp_path)
    catalogue = dict(reasons.REASONS)
    catalogue.update(dict.fromkeys(["FROM_A_CLASS", "FROM_A_DEFAULT", "FROM_A_POSITIONAL"], "x"))
    catalogue.update(dict.fromkeys(["FROM_ERROR_INFO", "FROM_A_FALLBACK", "FROM_A_CONSTANT"], "x"))
    catalogue["NEVER_RAISED"] = "a dead entry"
    problems = missing(scan, catalogue)
    assert problems == [
        f"ktv/scratch.py:{_line('FROM_A_KEYWORD')}: FROM_A_KEYWORD (INVALID_ARGUMENT) is not in "
        'ktv/reasons.py: add "FROM_A_KEYWORD": "what happened; what the caller can do",',
        f"ktv/scratch.py:{_line('NO_SESSION')}: NO_SESSION was renamed in 0.2: use NO_OPEN_SESSION",
    ]
    assert "NEVER_RAISED" in dead(scan, catalogue)
    assert unknown_reads(scan, catalogue) == [
        f"ktv/scratch.py:{_line('READ_BY_A_CLIENT')}: branches on READ_BY_A_CLIENT, "
        "which nothing raises"
    ]
