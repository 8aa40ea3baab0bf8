"""A venue tunes its bounds in the ``[limits]`` table of its venue config (money in yuan);
anything it cannot mean stops the controller at start-up with one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from controller.venue import load_venue_config
from ktv.errors import InvalidArgument
from ktv.limits import DEFAULT, FEN_MAX, Limits, limits_from_config

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "venue.toml"


def venue_with(tmp_path: Path, limits: str) -> Path:
    path = tmp_path / "venue.toml"
    path.write_text(EXAMPLE.read_text(encoding="utf-8") + "\n[limits]\n" + limits, "utf-8")
    return path


def test_without_a_limits_table_the_venue_gets_the_defaults():
    assert load_venue_config(EXAMPLE).limits == DEFAULT == Limits()


def test_a_venue_sets_its_top_up_maximum_in_yuan_and_its_order_bounds_as_counts(tmp_path):
    path = venue_with(tmp_path, 'topup_max = 5000\nprice_max = "888.88"\norder_lines_max = 40\n')
    limits = load_venue_config(path).limits
    assert limits.topup_fen_max == 500_000
    assert limits.price_fen_max == 88_888
    assert limits.order_lines_max == 40
    assert limits.bill_lines_max == DEFAULT.bill_lines_max


@pytest.mark.parametrize(
    "section",
    [
        {"order_lines_maxx": 5},  # a typo must not silently keep the default
        {"order_lines_max": 0},
        {"order_lines_max": 10**6},  # past the system ceiling
        {"order_lines_max": 2.5},
        {"order_lines_max": True},
        {"bill_max": 10**20},  # yuan past FEN_MAX
        {"bill_max": "12.345"},
        {"bill_max": "１２"},  # full-width digits are not yuan here
        {"topup_max": -1},
    ],
)
def test_limits_a_venue_cannot_mean_are_refused_with_the_key_named(section):
    with pytest.raises(InvalidArgument) as err:
        limits_from_config(section)
    assert err.value.reason == "BAD_LIMIT"
    assert next(iter(section)) in err.value.message


def test_no_venue_limit_can_pass_the_system_ceiling():
    assert limits_from_config({"bill_max": FEN_MAX // 100}).bill_fen_max == FEN_MAX
    with pytest.raises(InvalidArgument):
        Limits(bill_fen_max=FEN_MAX + 1)


def test_the_controller_refuses_to_start_on_a_bad_limit_with_one_line(tmp_path):
    path = venue_with(tmp_path, "order_lines_maxx = 5\n")
    serve = ["serve", "--data-dir", str(tmp_path / "data"), "--insecure-dev", "--no-mdns"]
    run = subprocess.run(
        [sys.executable, "-m", "controller", *serve, "--venue-config", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert "'order_lines_maxx' is not a limit" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
