"""Fuzz every ktvctl command's arguments against a real controller: whatever a cashier types,
ktvctl answers with an exit code the README documents and at most one line on stderr.

The commands and their arguments are read from ktvctl's own parser, so a new command or
option is fuzzed without touching this file. Each argument gets a value that fits its type
(amounts, percents, counts, durations, room ids, members...) or a hostile one (NaN, inf,
exponents, superscript and Arabic-Indic digits, full-width digits, empty, huge, control
characters, undecodable bytes, rich markup, binary and missing files).

In the suite: ``KTV_FUZZ_EXAMPLES`` examples per command (default 40, deterministic). A longer,
random run: ``KTV_FUZZ_EXAMPLES=300 pytest tests/controller/test_ktvctl_fuzz.py``.

Left out on purpose: ``emergency on`` (it would stop every room for the rest of the run; its
parsing is fuzzed with bad values), ``rooms --watch`` without a short ``--for-seconds`` (it runs
until Ctrl-C), and the connection options (``--timeout 0.001`` is rightly exit 9; they are
tested in test_ktvctl_args.py).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from controller.ktvctl import args as types
from controller.ktvctl import build_parser
from tests.support.controller import RunningController, start_controller
from tests.support.ktvctl import run_ktvctl

EXAMPLES = int(os.environ.get("KTV_FUZZ_EXAMPLES", "40"))
VENUE = Path(__file__).resolve().parents[2] / "examples" / "venue.toml"
ALLOWED = {0, 2, 3, 4, 5, 6}  # ok, bad input, not found, exists, wrong state, conflict
ALLOWED_BY_COMMAND = {
    ("login",): ALLOWED | {8},  # a wrong staff id or PIN is "unauthenticated"
    ("member", "pin"): ALLOWED | {7},  # a wrong old PIN is "permission denied"
    # an approver's wrong staff id or PIN (operator caps) is "unauthenticated", like a login
    ("discount",): ALLOWED | {8},
    ("cancel-order",): ALLOWED | {8},  # takes --approver/--approver-pin like comp
    ("comp",): ALLOWED | {8},
    ("refund",): ALLOWED | {8},
}
GLOBAL_DESTS = {
    "controller",
    "data_dir",
    "token",
    "venue",
    "mdns_interface",
    "ca_file",
    "ca_fingerprint",
    "insecure",
    "json",
    "timeout",
    "help",
}

HOSTILE = [
    "",
    " ",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e12",
    "1e-3",
    "-1",
    "0",
    "-0",
    "0x10",
    "1_000",
    "²",
    "٣",
    "１２",
    "1²",
    "99999999999",
    "99999999999999999999",
    "9" * 400,
    "x" * 100_000,
    "\x00",
    "a\nb",
    "a\tb",
    "X\udcff",
    "[/]",
    "[bold]x[/]",
    ":beer:",
    "¥",
    "%",
    "h",
    "1h99999999999m",
    "‮RTL",
    "😀",
    "--",
    "-x",
]
WORDS = [
    "A08",
    "A09",
    "B02",
    "A10",
    "NOPE404",
    "rooms/A08",
    "bills/nosuch",
    "beer",
    "fruit",
    "small",
    "vip",
    "large",
    "黄金场",
    "birthday",
    "win_back",
    "SERVICE_CALLED",
    "maintenance",
    "on",
    "off",
    "cleaning",
    "done",
    "idle",
    "reserve",
    "unreserve",
    "13800138000",
    "VIP0001",
    "m-000000",
    "p-1",
    "o-1",
    "expire_points",
    "测试",
]
FILES = ["binary", "empty", "directory", "missing", "huge", "venue"]


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def commands() -> dict[tuple[str, ...], argparse.ArgumentParser]:
    parser, runners = build_parser()
    found: dict[tuple[str, ...], argparse.ArgumentParser] = {}
    for word, sub in _subcommands(parser).items():
        inner = _subcommands(sub)
        for word2, sub2 in inner.items():
            found[(word, word2)] = sub2
        if not inner:
            found[(word,)] = sub
    assert set(found) == set(runners)  # every command ktvctl runs is fuzzed
    return found


COMMANDS = commands()


def typed_values(action: argparse.Action) -> st.SearchStrategy[str]:
    """Values that fit the argument's type (so the call reaches the controller)."""
    kind = action.type
    name = getattr(kind, "__qualname__", "")
    if action.choices:
        return st.sampled_from([str(c) for c in action.choices])
    if "yuan" in name:
        return st.sampled_from(["88", "20.50", "0.01", "1", "300", "¥5", "１０"]) | st.integers(
            0, 10**10
        ).map(str)
    if kind is types.percent_bp:
        return st.sampled_from(["10", "12.5", "100", "0.01"]) | st.decimals(
            0, 100, places=2, allow_nan=False
        ).map(str)
    if "count" in name:
        return st.integers(0, 1100).map(str) | st.sampled_from(["999", "9999", "1000000000"])
    if kind is types.minutes:
        return st.sampled_from(["1h", "30m", "1h30m", "90", "168h", "3H"])
    if "seconds" in name:
        return st.sampled_from(["0.1", "0.3"])
    if kind is types.pin:
        return st.sampled_from(["1234", "2580", "0000", "12", "123456789012"])
    if kind is types.REQUEST_ID:
        return st.sampled_from(["r1", "r2"]) | st.uuids().map(lambda u: u.hex)
    if kind is types.MEMBER:
        return st.sampled_from(["13800138000", "13900139000", "VIP0001", "nobody", "张伟"])
    if isinstance(kind, type) and issubclass(kind, Path):
        return st.sampled_from(FILES)
    return st.sampled_from(WORDS)


def values(action: argparse.Action, clean: bool) -> st.SearchStrategy[str]:
    """Half the examples are well typed throughout (they reach the controller); in the other
    half any argument may be hostile."""
    if isinstance(action.type, type) and issubclass(action.type, Path):
        return st.sampled_from(FILES)  # a hostile path is one of the files
    if clean:
        return typed_values(action)
    return st.one_of(
        typed_values(action),
        st.sampled_from(HOSTILE),
        st.text(max_size=30),
        st.binary(max_size=8).map(lambda b: b.decode("utf-8", "surrogateescape")),
    )


@st.composite
def argv_for(draw: st.DrawFn, words: tuple[str, ...], parser: argparse.ArgumentParser) -> list[str]:
    argv: list[str] = ["--json"] if draw(st.booleans()) else []
    clean = draw(st.booleans())
    argv += list(words)
    options: list[str] = []
    for action in parser._actions:
        if action.dest in GLOBAL_DESTS or isinstance(action, argparse._HelpAction):
            continue
        if not action.option_strings:  # positional
            count = {"+": draw(st.integers(1, 3)), "?": draw(st.integers(0, 1))}.get(
                action.nargs, 1
            )
            if draw(st.integers(0, 19)) == 0:
                count = 0  # now and then, one missing
            argv += [draw(values(action, clean)) for _ in range(count)]
            continue
        flag = action.option_strings[-1]
        wanted = action.required and draw(st.integers(0, 19)) != 0
        if not (wanted or draw(st.booleans())):
            continue
        if action.nargs == 0:  # store_true
            options.append(flag)
        else:
            repeat = draw(st.integers(1, 2)) if isinstance(action, argparse._AppendAction) else 1
            for _ in range(repeat):
                options += [flag, draw(values(action, clean))]
    argv += options
    return restrain(words, argv, draw)


def restrain(words: tuple[str, ...], argv: list[str], draw: st.DrawFn) -> list[str]:
    """Keep the run finite and the venue open (see the module docstring)."""
    if words == ("rooms",) and "--watch" in argv:
        while "--for-seconds" in argv:
            at = argv.index("--for-seconds")
            del argv[at : at + 2]
        argv += ["--for-seconds", draw(st.sampled_from(["0.2", "nan", "-1", "inf", "x", ""]))]
    if words == ("emergency",) and "on" in argv:
        argv = [
            draw(st.sampled_from(["of", "ON", "", "x" * 1000])) if a == "on" else a for a in argv
        ]
    return argv


@pytest.fixture(scope="module")
def venue(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningController]:
    data_dir = tmp_path_factory.mktemp("fuzz-venue")
    with start_controller(data_dir, ["--venue-config", str(VENUE)]) as ctl:
        yield ctl


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("fuzz-files")
    (root / "binary").write_bytes(bytes(range(256)) * 16)
    (root / "empty").write_bytes(b"")
    (root / "directory").mkdir()
    (root / "huge").write_bytes(b"#" * (types.FILE_MAX_BYTES + 1))
    (root / "venue").write_bytes(VENUE.read_bytes())  # a copy: `--escpos venue` writes to it
    return {name: str(root / name) for name in FILES}


@pytest.fixture(scope="module")
def run(
    venue: RunningController, files: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Callable[[list[str]], tuple[int, str, str]]:
    config_dir = tmp_path_factory.mktemp("fuzz-cfg")

    def run(argv: list[str]) -> tuple[int, str, str]:
        argv = [files.get(a, a) if a in FILES else a for a in argv]
        result = run_ktvctl(
            ["--data-dir", str(venue.data_dir), *argv],
            config_dir=config_dir,
            env={"KTV_DEBUG": "1", "KTV_PIN": "0000"},  # a bug raises: hypothesis shows it
        )
        return result.code, result.stdout, result.stderr

    # a venue in the middle of an evening: an open room, a member, an order
    for setup in (
        ["open", "A08", "--guests", "4"],
        ["member", "add", "13800138000", "--name", "张伟", "--card", "VIP0001", "--pin", "2580"],
        ["order", "A08", "beer:2"],
    ):
        code, _, err = run(setup)
        assert code == 0, err
    return run


@pytest.mark.parametrize("words", sorted(COMMANDS), ids=" ".join)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="KTV_FUZZ_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_any_arguments_give_a_documented_exit_code_and_at_most_one_line(
    run: Callable[[list[str]], tuple[int, str, str]], words: tuple[str, ...], data: st.DataObject
) -> None:
    argv = data.draw(argv_for(words, COMMANDS[words]), label="argv")
    code, _, stderr = run(argv)
    assert code in ALLOWED_BY_COMMAND.get(words, ALLOWED), (code, stderr)
    assert "Traceback" not in stderr
    assert stderr.count("\n") <= 1, stderr
    if code != 0:
        assert stderr.startswith("ktvctl: ") and stderr.endswith("\n"), stderr
