"""The systemd units, checked by systemd itself (``systemd-analyze verify``) in a scratch
root laid out by the real installers."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from controller.deploy import install as controller_install
from ktv.provisioning import SYSTEMD_SOURCE_DIR
from room_agent import provision
from tests.deploy.scratch import give_it_systemd

INSTALLED_UNITS = (
    "ktv-controller.service",
    "ktv-controller-backup.service",
    "ktv-controller-backup.timer",
    "ktv-controller-cert.service",
    "ktv-controller-cert.timer",
    "ktv-agent.service",
)
EXAMPLE_UNITS = ("srv-ktv-songs.mount", "srv-ktv-songs.automount")


@pytest.fixture(scope="module")
def venue_box(tmp_path_factory) -> Path:
    """One scratch root with both the controller and a room agent installed (files only)."""
    root = tmp_path_factory.mktemp("box")
    assert controller_install.main(["--root", str(root), "--files-only"]) == 0
    assert provision.main(["--room", "A08", "--root", str(root), "--files-only"]) == 0
    give_it_systemd(root)
    for example in EXAMPLE_UNITS:
        shutil.copy(SYSTEMD_SOURCE_DIR / "examples" / example, root / "etc/systemd/system")
    return root


def verify(root: Path, unit: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["systemd-analyze", "verify", f"--root={root}", unit],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _complaints(proc: subprocess.CompletedProcess, unit: str) -> list[str]:
    """What systemd says about our unit (it also warns, with exit code 0, about bad lines)."""
    stem = unit.rsplit(".", 1)[0]
    return [line for line in (proc.stdout + proc.stderr).splitlines() if stem in line]


@pytest.mark.parametrize("unit", INSTALLED_UNITS + EXAMPLE_UNITS)
def test_unit_passes_systemd_analyze_verify(venue_box, unit):
    proc = verify(venue_box, unit)
    assert proc.returncode == 0, proc.stderr
    assert _complaints(proc, unit) == []


@pytest.mark.parametrize(
    ("mistake", "fixed", "said"),
    [
        ("/opt/ktv/venv/bin/ktv-controller", "/opt/ktv/nope", "/opt/ktv/nope"),  # no program
        ("Type=notify", "Type=notifyy", "Failed to parse service type"),  # misspelt setting
    ],
)
def test_verify_catches_mistakes_so_the_check_is_real(venue_box, mistake, fixed, said):
    units = venue_box / "etc/systemd/system"
    broken = (units / "ktv-controller.service").read_text().replace(mistake, fixed)
    (units / "ktv-broken.service").write_text(broken)
    try:
        proc = verify(venue_box, "ktv-broken.service")
    finally:
        (units / "ktv-broken.service").unlink()
    assert said in proc.stderr
    assert _complaints(proc, "ktv-broken.service")


def _security_score(root: Path, unit: str) -> float:
    proc = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", f"--root={root}", unit],
        capture_output=True,
        text=True,
        timeout=60,
    )
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", proc.stdout + proc.stderr)
    assert match, proc.stdout + proc.stderr
    return float(match.group(1))


@pytest.mark.parametrize(
    ("unit", "ceiling"),
    # exposure 0 (locked down) .. 10 (exposed); measured 1.1 / 0.4 / 1.1 / 1.5 when written
    [
        ("ktv-controller.service", 1.5),
        ("ktv-controller-backup.service", 0.5),
        ("ktv-controller-cert.service", 1.5),
        ("ktv-agent.service", 2.0),
    ],
)
def test_units_stay_hardened(venue_box, unit, ceiling):
    assert _security_score(venue_box, unit) <= ceiling


def test_controller_unit_is_a_watched_notify_service_with_its_own_user_and_state():
    text = (SYSTEMD_SOURCE_DIR / "ktv-controller.service").read_text()
    for line in (
        "Type=notify",
        "NotifyAccess=main",
        "WatchdogSec=30s",
        "TimeoutAbortSec=10s",
        "Restart=on-failure",
        "User=ktv",
        "StateDirectory=ktv",
        "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK",
    ):
        assert line in text.splitlines()


def test_kiosk_unit_draws_on_kms_and_joins_the_device_groups():
    lines = (SYSTEMD_SOURCE_DIR / "ktv-agent.service").read_text().splitlines()
    assert "Environment=SDL_VIDEODRIVER=kmsdrm" in lines
    assert "SupplementaryGroups=gpio video audio input render" in lines
    assert "Restart=always" in lines


@pytest.mark.parametrize("unit", ["ktv-controller.service", "ktv-agent.service"])
def test_a_stuck_service_is_restarted_by_the_watchdog(unit):
    """Type=notify + WatchdogSec: the process pings from its loop (tests/room_agent/link/
    test_watchdog.py, tests/deploy/test_sdnotify.py); a silent one is aborted (SIGABRT, its
    stacks in the journal) and Restart= covers that. The ping interval is half WatchdogSec."""
    settings = dict(
        line.split("=", 1)
        for line in (SYSTEMD_SOURCE_DIR / unit).read_text().splitlines()
        if "=" in line and not line.startswith("#")
    )
    assert settings["Type"] == "notify" and settings["NotifyAccess"] == "main"
    assert settings["Restart"] in ("on-failure", "on-watchdog", "on-abnormal", "always")
    watchdog_s = int(settings["WatchdogSec"].removesuffix("s"))
    assert 10 <= watchdog_s <= 60  # long enough for a loaded Pi, short enough for a room
    assert settings.get("WatchdogSignal", "SIGABRT") == "SIGABRT"  # faulthandler dumps on it
    assert int(settings["TimeoutAbortSec"].removesuffix("s")) <= watchdog_s
