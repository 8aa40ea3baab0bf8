"""Controller fixtures: a real controller process shared per test module, plus helpers."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from tests.support.controller import RunningController, start_controller

OFFLINE_AFTER_S = 2.0


@pytest.fixture(scope="module")
def controller(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningController]:
    data_dir = tmp_path_factory.mktemp("controller")
    with start_controller(data_dir, ["--offline-after-s", str(OFFLINE_AFTER_S)]) as ctl:
        yield ctl


_ids = itertools.count(1)


@pytest.fixture
def room_id() -> str:
    """A fresh room id for each test sharing a controller."""
    return f"R{next(_ids):03d}"
