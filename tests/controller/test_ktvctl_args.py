"""What a cashier types is parsed and bounded before any call: one line and exit 2 for what
does not parse, never a traceback; the controller's own errors keep their exit code."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from controller.ktvctl import args as types
from ktv import limits
from tests.support.controller import RunningController, start_controller
from tests.support.ktvctl import Result, run_ktvctl

# -- the parsers alone ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("88", 8800),
        ("20.5", 2050),
        ("20.50", 2050),
        ("¥20.08", 2008),
        ("￥１２．５", 1250),  # full-width from a Chinese IME
        (" 7 ", 700),
        ("0.01", 1),
        ("100000000", 10_000_000_000),
        (f"{limits.FEN_MAX // 100}", limits.FEN_MAX),
    ],
)
def test_yuan_parses_to_exact_fen(text: str, fen: int) -> None:
    assert types.yuan()(text) == fen


@pytest.mark.parametrize(
    "text",
    [
        "",
        "x",
        "²",
        "٣",  # an Arabic-Indic digit: str.isdigit() says yes
        "1²",
        "nan",
        "inf",
        "1e5",
        "-5",
        "0",
        "0.00",
        "1.234",
        "1,000",
        "99999999999999999999",
        f"{limits.FEN_MAX // 100}.01",
        "1" * 100_000,
    ],
)
def test_yuan_refuses_what_is_not_a_sane_amount(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        types.yuan()(text)


def test_a_zero_amount_is_allowed_where_zero_means_something() -> None:
    assert types.yuan(positive=False)("0") == 0


@pytest.mark.parametrize(
    ("text", "bp"), [("10", 1000), ("12.5", 1250), ("0.01", 1), ("100", 10_000), ("８", 800)]
)
def test_percent_is_basis_points(text: str, bp: int) -> None:
    assert types.percent_bp(text) == bp


@pytest.mark.parametrize(
    "text", ["nan", "inf", "-inf", "1e12", "0", "100.01", "12.345", "-5", "²", "", "1000000"]
)
def test_percent_refuses_nan_inf_and_out_of_range(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        types.percent_bp(text)


@pytest.mark.parametrize(
    ("text", "minutes"), [("3h", 180), ("90m", 90), ("1h30m", 90), ("90", 90), ("２H", 120)]
)
def test_durations(text: str, minutes: int) -> None:
    assert types.minutes(text) == minutes


@pytest.mark.parametrize(
    "text", ["", "h", "0", "0h", "²h", "99999999999h", "1h99999999999m", "3 hours", "-1h", "169h"]
)
def test_durations_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        types.minutes(text)


def test_counts_are_ascii_whole_numbers_in_range() -> None:
    guests = types.count("the guest count", 1, 999)
    assert guests("4") == 4 and guests("０１２") == 12
    for bad in ("0", "1000", "-1", "+1", "²", "٣", "1.0", "1e3", "", "99999999999"):
        with pytest.raises(argparse.ArgumentTypeError):
            guests(bad)


def test_seconds_are_finite_and_bounded() -> None:
    timeout = types.seconds("the timeout", 0.0, 3600.0)
    assert timeout("1.5") == 1.5
    for bad in ("nan", "inf", "-1", "0", "3601", "1e3", "x"):
        with pytest.raises(argparse.ArgumentTypeError):
            timeout(bad)


def test_text_is_one_bounded_line_of_encodable_characters() -> None:
    name = types.text("a name", 8)
    assert name(" Ａ08 ") == "A08"  # NFKC, stripped
    for bad in ("x" * 9, "a\nb", "a\x00b", "X\udcff", "x" * 100_000):
        with pytest.raises(argparse.ArgumentTypeError):
            name(bad)


def test_a_pin_is_ascii_digits_and_never_quoted_back() -> None:
    assert types.pin("１２３４") == "1234"
    with pytest.raises(argparse.ArgumentTypeError) as refused:
        types.pin("12²4")
    assert "12²4" not in str(refused.value)


def test_addresses_and_tokens() -> None:
    assert types.address("127.0.0.1:50051") == "127.0.0.1:50051"
    assert types.address("[::1]:7") == "[::1]:7"
    for bad in ("noport", "host:0", "host:65536", "host:x", "a b:1"):
        with pytest.raises(argparse.ArgumentTypeError):
            types.address(bad)
    for bad in ("é", "a b", "a\nb"):
        with pytest.raises(argparse.ArgumentTypeError):
            types.token(bad)


# -- ktvctl against a real controller ---------------------------------------------------------

VENUE = Path(__file__).resolve().parents[2] / "examples" / "venue.toml"


@pytest.fixture(scope="module")
def controller(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningController]:
    """A venue with prices (small and vip rooms, a menu), shared by this module's tests."""
    data_dir = tmp_path_factory.mktemp("venue")
    with start_controller(data_dir, ["--venue-config", str(VENUE)]) as ctl:
        yield ctl


@pytest.fixture
def run(controller: RunningController, tmp_path: Path):
    def run(*argv: str) -> Result:
        return run_ktvctl(
            ["--data-dir", str(controller.data_dir), *argv],
            config_dir=tmp_path / "cfg",
            env={"KTV_DEBUG": "1"},  # a bug raises here instead of printing one line
        )

    return run


def one_line_error(result: Result, code: int) -> str:
    assert result.code == code, (result.code, result.stderr)
    assert result.stderr.startswith("ktvctl: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr


BINARY = "@binary"  # replaced by a file of random bytes

# Each was a Python traceback (exit 1), a multi-line usage block, or a silent exit 0.
TYPED_REFUSALS = [
    (["guests", "A08", "99999999999"], "guest count"),
    (["order", "A08", "beer:99999999999"], "quantity"),
    (["order", "A08", "beer:²"], "quantity"),
    (["open", "A09", "--guests", "2", "--prepaid", "99999999999h", "--cash", "1"], "--prepaid"),
    (["open", "A09", "--guests", "99999999999"], "--guests"),
    (["open", "A09", "--guests", "2", "--cash", "99999999999999999999"], "--cash"),
    (["pay", "A08", "--cash", "99999999999999999999"], "--cash"),
    (["pay", "A08", "--cash", "²"], "--cash"),
    (["pay", "A08", "--wechat", "٣"], "--wechat"),
    (["checkout", "A08", "--cash", "²"], "--cash"),
    (["extend", "A08", "--prepaid", "99999999999h", "--cash", "1"], "--prepaid"),
    (["discount", "A08", "--percent", "nan", "--reason", "x"], "--percent"),
    (["discount", "A08", "--percent", "inf", "--reason", "x"], "--percent"),
    (["discount", "A08", "--percent", "1e12", "--reason", "x"], "--percent"),
    (["discount", "A08", "--amount", "99999999999999999999", "--reason", "x"], "--amount"),
    (["coupon", "issue", "P", "--percent", "nan"], "--percent"),
    (["coupon", "issue", "P", "--amount", "99999999999999999999"], "--amount"),
    (["coupon", "issue", "P", "--amount", "1", "--days", "99999999999"], "--days"),
    (["coupon", "issue", "P", "--amount", "1", "--min-spend", "²"], "--min-spend"),
    (["audit", "--limit", "99999999999"], "--limit"),
    (["member", "topup", "P", "99999999999999999999"], "amount"),
    (["member", "refund", "P", "²", "--reason", "x"], "amount"),
    (["member", "history", "P", "--limit", "99999999999"], "--limit"),
    (["member", "redeem", "P", "99999999999999999999", "--bill", "bills/x"], "points"),
    (
        ["member", "redeem", "P", "--product", "fruit", "--room", "A08", "--quantity", "9" * 11],
        "quantity",
    ),
    (["member", "benefits", "A08", "P", "--points", "99999999999999999999"], "--points"),
    (["campaign", "run", "birthday", "--gift", "²"], "--gift"),
    (["campaign", "run", "birthday", "--lead-days", "99999999999"], "--lead-days"),
    (["refund", "bills/x", "p1", "99999999999999999999", "--reason", "x"], "YUAN"),
    (["product", "beer", "--price", "99999999999999999999"], "--price"),
    (["bill", "A08", "--receipt", "33"], "--receipt"),
    (["rooms", "--watch", "--for-seconds", "nan"], "--for-seconds"),
    (["--timeout", "nan", "rooms"], "--timeout"),
    (["--timeout", "-1", "rooms"], "--timeout"),
    (["--token", "é", "rooms"], "--token"),
    (["--controller", "noport", "rooms"], "--controller"),
    (["--mdns-interface", "eth0", "rooms"], "--mdns-interface"),
    (["room", "add", "X\udcff", "--tier", "large"], "room_id"),
    (["member", "show", "a\x00b"], "control characters"),
    (["staff", "add", "w1", "--role", "waiter", "--pin", "12²4"], "--pin"),
    (["room", "add"], "required"),  # argparse's own errors are one line too
    (["nosuchcommand"], "invalid choice"),
]


@pytest.mark.parametrize(
    ("argv", "words"), TYPED_REFUSALS, ids=[" ".join(a)[:40] for a, _ in TYPED_REFUSALS]
)
def test_what_does_not_parse_is_one_line_and_exit_2(run, argv: list[str], words: str) -> None:
    line = one_line_error(run(*argv), 2)
    assert line.startswith("ktvctl: error: ") and words in line


def test_a_value_from_the_environment_is_checked_like_its_option(tmp_path: Path) -> None:
    for env, value in (("KTV_TIMEOUT", "nan"), ("KTV_CONTROLLER", "x"), ("KTV_TOKEN", "é")):
        result = run_ktvctl(
            ["--data-dir", str(tmp_path), "rooms"], config_dir=tmp_path, env={env: value}
        )
        assert env in one_line_error(result, 2)


def test_an_unknown_bill_in_the_audit_is_not_found(run) -> None:
    assert "nosuch" in one_line_error(run("audit", "bills/nosuch"), 3)


def test_price_import_of_a_binary_file_is_one_line(run, tmp_path: Path) -> None:
    binary = tmp_path / "plan.toml"
    binary.write_bytes(bytes(range(256)) * 4)
    assert "not UTF-8" in one_line_error(run("price", "import", str(binary)), 2)
    huge = tmp_path / "huge.toml"
    huge.write_bytes(b"# " + b"x" * types.FILE_MAX_BYTES)
    assert "larger than" in one_line_error(run("price", "import", str(huge)), 2)
    assert "cannot read" in one_line_error(run("price", "import", str(tmp_path)), 2)


def test_a_receipt_written_to_a_directory_is_one_line(
    run, controller: RunningController, tmp_path: Path, room_id: str
) -> None:
    controller.add_room(room_id, tier="small")
    opened = run("open", room_id, "--guests", "2")
    assert opened.code == 0, opened.stderr
    written = one_line_error(run("bill", room_id, "--receipt", "58", "--escpos", str(tmp_path)), 2)
    assert "cannot write" in written


def test_a_controller_error_keeps_its_exit_code(run, controller: RunningController) -> None:
    one_line_error(run("guests", "NOPE404", "3"), 3)
    one_line_error(run("room", "add", "bad id", "--tier", "vip"), 2)
    one_line_error(run("room", "add", "A08", "--tier", "vip"), 4)
    assert run("audit", "--verify").code == 0


def test_names_are_printed_as_typed_not_as_markup(run, room_id: str) -> None:
    assert run("room", "add", room_id, "--tier", "vip", "--name", "[/]:beer:").code == 0
    board = run("rooms")
    assert board.code == 0, board.stderr
    assert "[/]:beer:" in board.stdout
    product = run("product", "fx-1", "--name", "[bold]果盘[/]", "--price", "38")
    assert product.code == 0, product.stderr
    assert "[bold]果盘[/]" in run("menu").stdout


def test_help_exits_0(run) -> None:
    result = run("open", "--help")
    assert result.code == 0 and "--prepaid" in result.stdout


def test_the_real_process_prints_one_line_too(
    controller: RunningController, tmp_path: Path
) -> None:
    """Nothing else writes to the terminal: no usage block, no gRPC core log line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KTV_")}
    env["KTV_CONFIG_DIR"] = str(tmp_path)
    for argv, code in (
        (["--data-dir", str(controller.data_dir), "pay", "A08", "--cash", "²"], 2),
        (["--controller", controller.address, "--token", "é", "rooms"], 2),
        (["--controller", controller.address, "--token", "x\ty", "rooms"], 2),
        (["open", "A08"], 2),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "controller.ktvctl", *argv],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert done.returncode == code, done.stderr
        assert done.stderr.startswith("ktvctl: error: ") and done.stderr.count("\n") == 1


def test_an_mdns_interface_that_is_not_here_is_one_line(tmp_path: Path) -> None:
    result = run_ktvctl(
        ["--mdns-interface", "10.9.9.9", "--token", "x", "rooms"],
        config_dir=tmp_path,
        env={"KTV_DEBUG": "1"},
    )
    assert "10.9.9.9" in one_line_error(result, 2)
