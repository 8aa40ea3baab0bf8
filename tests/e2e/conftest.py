"""End-to-end fixtures (helpers in ``tests/support/core_agents.py``)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.core_agents import AgentProcess, Library, build_library


@pytest.fixture(scope="session")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    return build_library(tmp_path_factory.mktemp("library"))


@pytest.fixture
def agents() -> Iterator[list[AgentProcess]]:
    """Agent processes a test started; all stopped at the end."""
    started: list[AgentProcess] = []
    yield started
    for agent in started:
        agent.stop()
        agent.control_path.unlink(missing_ok=True)


@pytest.fixture
def master_catalog(library: Library, tmp_path: Path) -> Path:
    path = tmp_path / "master-catalog.sqlite"
    shutil.copy(library.catalog, path)
    return path
