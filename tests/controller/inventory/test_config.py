"""[inventory] of the venue config: defaults, the venue's own rules, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from controller.inventory.desk import InventoryConfig
from ktv.errors import InvalidArgument

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "venue.toml"


def test_defaults_and_the_venues_own_storage_rules() -> None:
    plain = InventoryConfig.from_toml(EXAMPLE.read_text(encoding="utf-8"))
    assert plain.warn_days == (30, 15, 7) and plain.storage.keep_days("spirits", False) == 40
    own = InventoryConfig.from_toml(
        '[venue]\ntimezone = "Asia/Shanghai"\n[inventory]\nexpiry_warning_days = [10]\n'
        "[inventory.storage]\ndays = { spirits = 60 }\nreminder_days = 5\n"
    )
    assert own.warn_days == (10,) and own.storage.keep_days("spirits", False) == 60
    assert own.storage.keep_days("beer", False) == 20 and own.storage.reminder_days == 5


@pytest.mark.parametrize(
    "section",
    [
        "expiry_warning_days = [0]",
        'expiry_warning_days = "soon"',
        "velocity_weeks = 0",
        "[inventory.storage]\ndays = { wine = -1 }",
        '[inventory.storage]\nreminder_days = "x"',
    ],
)
def test_a_malformed_section_is_one_clear_error(section: str) -> None:
    with pytest.raises(InvalidArgument) as bad:
        InventoryConfig.from_toml(f"[inventory]\n{section}\n")
    assert bad.value.reason == "BAD_INVENTORY_CONFIG" and "[inventory]" in bad.value.message
