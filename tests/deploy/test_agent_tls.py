"""A new Pi against a TLS controller, with the real `ktv-agent` command line: enroll with the
technician's fingerprint, then link over mutual TLS and tell systemd it is up."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ktv.security import certs
from tests.deploy.venue import Venue, room

AGENT = [sys.executable, "-m", "room_agent"]


@pytest.fixture(scope="module")
def venue(tmp_path_factory):
    v = Venue(tmp_path_factory.mktemp("venue"))
    for room_id in ("C01", "C02", "C03"):
        v.add_room(room_id)
    yield v
    v.close()


def ktv_agent(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*AGENT, *args], capture_output=True, text=True, timeout=120)


def _find_by_mdns(venue: Venue) -> list[str]:
    return ["--mdns-interface", "127.0.0.1", "--venue", venue.venue_id]


def test_a_new_pi_enrolls_over_tls_and_links_with_its_room_certificate(venue, tmp_path):
    data_dir = tmp_path / "pi"
    code = venue.enrollment_code("C01")
    fingerprint = certs.fingerprint_for_people(venue.fingerprint)
    enrolled = ktv_agent(
        "enroll", "--room", "C01", "--code", code, "--ca-fingerprint", fingerprint,
        "--data-dir", str(data_dir), *_find_by_mdns(venue),
    )  # fmt: skip
    assert enrolled.returncode == 0, enrolled.stderr
    credential = json.loads((data_dir / "credential.json").read_text())
    assert certs.room_of_certificate(credential["certificate_pem"].encode()) == "C01"
    assert credential["ca_certificate_pem"].encode() == venue.ca_pem

    notify_path = tmp_path / "notify"
    systemd = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    systemd.bind(str(notify_path))
    systemd.settimeout(30)
    agent = subprocess.Popen(
        [*AGENT, "run", "--headless", "--room", "C01", "--data-dir", str(data_dir),
         *_find_by_mdns(venue)],
        env={**_env(), "NOTIFY_SOCKET": str(notify_path), "WATCHDOG_USEC": "2000000"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert systemd.recv(4096).decode().startswith("READY=1\n")
        deadline = time.monotonic() + 30
        while not room(venue, "C01").agent.online:
            assert time.monotonic() < deadline, "C01 never came online"
            assert agent.poll() is None, agent.stderr.read() if agent.stderr else ""
            time.sleep(0.2)
        assert systemd.recv(4096) == b"WATCHDOG=1"
    finally:
        agent.send_signal(signal.SIGTERM)
        _, err = agent.communicate(timeout=30)
        systemd.close()
    assert agent.returncode == 0, err


def test_a_wrong_fingerprint_stores_nothing_and_keeps_the_code(venue, tmp_path):
    code = venue.enrollment_code("C02")
    rogue = certs.fingerprint_sha256(certs.create_venue_ca("Rogue").cert_pem)
    refused = ktv_agent(
        "enroll", "--room", "C02", "--code", code, "--ca-fingerprint", rogue,
        "--data-dir", str(tmp_path), *_find_by_mdns(venue),
    )  # fmt: skip
    assert refused.returncode == 7
    last = refused.stderr.strip().splitlines()[-1]  # (earlier lines: INFO logging)
    assert last.startswith("ktv-agent: error: the controller at")
    assert "pinned venue CA" in last
    assert not (tmp_path / "credential.json").exists()

    right = ktv_agent(
        "enroll", "--room", "C02", "--code", code, "--ca-fingerprint", venue.fingerprint,
        "--data-dir", str(tmp_path), *_find_by_mdns(venue),
    )  # fmt: skip
    assert right.returncode == 0, right.stderr


def test_without_a_fingerprint_a_pi_will_not_enroll_with_a_tls_controller(venue, tmp_path):
    """mDNS says TLS, but mDNS can be spoofed on the guest LAN: no trust on first use."""
    code = venue.enrollment_code("C03")
    refused = ktv_agent(
        "enroll", "--room", "C03", "--code", code, "--data-dir", str(tmp_path),
        *_find_by_mdns(venue),
    )  # fmt: skip
    assert refused.returncode == 2
    assert "--ca-fingerprint" in refused.stderr.strip().splitlines()[-1]
    assert not (tmp_path / "credential.json").exists()


def _env() -> dict[str, str]:
    import os

    return {**os.environ, "PYTHONUNBUFFERED": "1"}


def test_provision_is_a_subcommand_of_ktv_agent(tmp_path):
    done = ktv_agent("provision", "--room", "A08", "--root", str(tmp_path), "--files-only")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "etc/ktv/agent.toml").is_file()
    assert Path(tmp_path / "etc/systemd/system/ktv-agent.service").is_file()
