"""The front desk against a TLS controller with the real `ktvctl`: pin the venue CA once,
sign in with a PIN over TLS, and a plain-text attempt says what to do."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from ktv.security import certs
from ktv.v1 import auth_pb2
from tests.deploy.venue import RPC_TIMEOUT_S, Venue

KTVCTL = [sys.executable, "-m", "controller.ktvctl"]


@pytest.fixture(scope="module")
def venue(tmp_path_factory):
    v = Venue(tmp_path_factory.mktemp("venue"))
    v.add_room("D01")
    v.admin_auth().CreateStaff(
        auth_pb2.CreateStaffRequest(
            staff_id="amy", role=auth_pb2.ROLE_TECHNICIAN, pin="2468", request_id=uuid.uuid4().hex
        ),
        metadata=v.ctl.admin_md,
        timeout=RPC_TIMEOUT_S,
    )
    yield v
    v.close()


def ktvctl(*args: str, config_dir: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KTV_")}
    env["KTV_CONFIG_DIR"] = str(config_dir)
    return subprocess.run([*KTVCTL, *args], capture_output=True, text=True, timeout=60, env=env)


def test_front_desk_pins_the_ca_once_then_signs_in_and_works_over_tls(venue, tmp_path):
    cfg = tmp_path / "desk"
    at = ["--controller", venue.ctl.address]
    pin = certs.fingerprint_for_people(venue.fingerprint)
    login = ktvctl(*at, "--ca-fingerprint", pin, "login", "amy", "--pin", "2468", config_dir=cfg)
    assert login.returncode == 0, login.stderr
    assert (cfg / "ca.crt").read_bytes() == venue.ca_pem

    me = ktvctl(*at, "whoami", config_dir=cfg)  # saved CA + saved token
    assert me.returncode == 0, me.stderr
    assert "amy" in me.stdout
    code = ktvctl(*at, "agent", "enroll", "D01", config_dir=cfg)
    assert code.returncode == 0, code.stderr


def test_plain_text_against_a_tls_controller_fails_in_one_line_saying_what_to_do(venue, tmp_path):
    rooms = ktvctl("--controller", venue.ctl.address, "--token", "x", "rooms", config_dir=tmp_path)
    assert rooms.returncode == 9
    assert rooms.stderr.count("\n") == 1
    assert "--ca-fingerprint" in rooms.stderr


def test_a_wrong_fingerprint_is_refused_and_nothing_is_saved(venue, tmp_path):
    rogue = certs.fingerprint_sha256(certs.create_venue_ca("Rogue").cert_pem)
    login = ktvctl(
        "--controller", venue.ctl.address, "--ca-fingerprint", rogue,
        "login", "amy", "--pin", "2468", config_dir=tmp_path,
    )  # fmt: skip
    assert login.returncode == 7
    assert "pinned venue CA" in login.stderr
    assert not (tmp_path / "ca.crt").exists()
    assert not (tmp_path / "token").exists()


def test_on_the_controller_box_the_data_dir_gives_ca_and_admin_token(venue, tmp_path):
    me = ktvctl("--data-dir", str(venue.ctl.data_dir), "whoami", config_dir=tmp_path)
    assert me.returncode == 0, me.stderr
    assert "admin" in me.stdout
