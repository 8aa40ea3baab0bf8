"""The controller is discoverable as _ktv._tcp by independent mDNS clients (loopback only)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.avahi import IsolatedAvahi
from tests.support.controller import RunningController, start_controller


@pytest.fixture(scope="module")
def venue_id() -> str:
    return f"venue-{uuid.uuid4().hex[:8]}"  # other suites may advertise on lo at the same time


@pytest.fixture(scope="module")
def advertised(
    tmp_path_factory: pytest.TempPathFactory, venue_id: str
) -> Iterator[RunningController]:
    data_dir = tmp_path_factory.mktemp("advertised")
    with start_controller(data_dir, ["--venue-id", venue_id]) as ctl:
        yield ctl


def _until(fn, timeout_s: float = 15.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while True:
        value = fn()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def test_avahi_browse_sees_the_controller_with_its_txt_records(
    advertised: RunningController, venue_id: str, tmp_path: Path
) -> None:
    with IsolatedAvahi(tmp_path / "avahi") as avahi:
        entries = _until(
            lambda: [e for e in avahi.browse("_ktv._tcp") if f"ktv-{venue_id}" in e[3]]
        )
    assert entries, "avahi-browse did not resolve the controller"
    entry = entries[0]
    # =;iface;proto;name;type;domain;host;address;port;txt
    assert entry[4] == "_ktv._tcp"
    assert entry[7] == "127.0.0.1"
    assert int(entry[8]) == advertised.port
    txt = entry[9]
    assert f'"venue={venue_id}"' in txt
    assert '"api=v1"' in txt
    assert f'"port={advertised.port}"' in txt
    assert '"ca_fp="' in txt


def test_a_zeroconf_browser_in_another_process_finds_the_controller(
    advertised: RunningController, venue_id: str
) -> None:
    code = (
        "import json, sys\n"
        "from controller.discovery import browse\n"
        f"found = browse(8.0, venue_id={venue_id!r}, interfaces=['127.0.0.1'])\n"
        "print(json.dumps(found and {'address': found.address, 'api': found.api}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"address": advertised.address, "api": "v1"}


def test_ktvctl_finds_the_controller_without_being_told_where(
    advertised: RunningController, venue_id: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("KTV_CONTROLLER",)}
    env.update(
        KTV_TOKEN=advertised.admin_token,
        KTV_VENUE=venue_id,
        KTV_MDNS_INTERFACE="127.0.0.1",
        KTV_CONFIG_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "-m", "controller.ktvctl", "--json", "whoami"],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["role"] == "ROLE_ADMIN"


def test_ktvctl_with_no_controller_to_find_says_so_in_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("KTV_CONTROLLER",)}
    env.update(
        KTV_TOKEN="x",
        KTV_VENUE=f"nowhere-{uuid.uuid4().hex[:6]}",
        KTV_MDNS_INTERFACE="127.0.0.1",
        KTV_CONFIG_DIR=str(tmp_path),
    )
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "controller.ktvctl", "rooms"],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
    )
    assert result.returncode == 9
    assert result.stderr.startswith("ktvctl: no controller of venue")
    assert time.monotonic() - started < 15
