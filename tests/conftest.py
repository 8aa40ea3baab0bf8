"""Suite-wide rules.

KTV_STRICT=1 (set by ./run test and CI): a test that skips, at run time or at collection
(e.g. a missing dependency), is reported as a failure. Only xfail is left alone.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

STRICT = os.environ.get("KTV_STRICT") == "1"

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
# One saved SC font for every agent the suite starts (saving it takes ~30 s; then it is reused,
# across runs too). tests/room_agent/ui/test_fonts.py checks what was saved.
os.environ.setdefault("KTV_FONT_DIR", str(Path(tempfile.gettempdir()) / "ktv-test-fonts"))


def _strict_fail(report: pytest.TestReport | pytest.CollectReport) -> None:
    report.outcome = "failed"
    report.longrepr = f"KTV_STRICT=1 turns skips into failures: {report.longrepr}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        _strict_fail(report)


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> object:
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped:
        _strict_fail(report)
