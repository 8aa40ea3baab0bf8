"""One fuzzed controller per test module: the example venue (sandbox payments), no mDNS."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest

from tests.controller.billing.grpc_support import write_venue
from tests.fuzz.harness import FuzzVenue
from tests.support.controller import start_controller

# Examples per RPC: a few in the suite (deterministic: derandomize), thousands on demand:
# KTV_FUZZ_EXAMPLES=2000 pytest tests/fuzz
EXAMPLES = int(os.environ.get("KTV_FUZZ_EXAMPLES", "20"))
SECONDS_PER_EXAMPLE = 0.25  # a stream example under load; the suite's 120 s covers 20


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A long run (KTV_FUZZ_EXAMPLES=2000) gets a per-test timeout that fits it."""
    timeout = max(120, int(EXAMPLES * SECONDS_PER_EXAMPLE) * 2)
    for item in items:
        if "tests/fuzz/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.timeout(timeout))


@pytest.fixture(scope="module")
def venue(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzVenue]:
    data_dir = tmp_path_factory.mktemp("fuzz") / "data"
    config = write_venue(data_dir)
    # No periodic job runs during the fuzz (its writes would land in a call's checksum
    # window); RunJob still runs them on demand.
    text = config.read_text(encoding="utf-8")
    text = re.sub(r'(?m)^(\w+) = "(daily|monthly|every) [^"]*"', r'\1 = "every 10000h"', text)
    config.write_text(text, encoding="utf-8")
    with start_controller(data_dir, ["--venue-config", str(config), "--no-mdns"]) as ctl:
        fuzz = FuzzVenue(ctl)
        fuzz.set_up()
        try:
            yield fuzz
        finally:
            fuzz.close()
