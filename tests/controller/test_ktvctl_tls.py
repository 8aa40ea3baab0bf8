"""ktvctl against a TLS controller (after `ktv-controller init`): the venue CA from the data
dir, or pinned once by fingerprint and remembered."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ktv.security import certs
from tests.controller.test_ktvctl import ktvctl
from tests.support.controller import REPO_ROOT, RunningController, start_controller


@pytest.fixture(scope="module")
def tls_controller(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningController]:
    data_dir = tmp_path_factory.mktemp("tls-controller")
    init = subprocess.run(
        [sys.executable, "-m", "controller", "init", "--data-dir", str(data_dir)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert init.returncode == 0, init.stderr
    with start_controller(data_dir, ["--no-mdns"], insecure_dev=False) as ctl:
        yield ctl


def _fingerprint(ctl: RunningController) -> str:
    return certs.fingerprint_sha256((ctl.data_dir / "tls" / "ca.crt").read_bytes())


def test_on_the_controller_box_the_data_dir_gives_address_token_and_ca(
    tls_controller: RunningController, tmp_path: Path
) -> None:
    result = ktvctl(
        "--data-dir", str(tls_controller.data_dir), "--json", "whoami", config_dir=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["role"] == "ROLE_ADMIN"


def test_at_the_front_desk_the_ca_is_pinned_once_then_remembered(
    tls_controller: RunningController, tmp_path: Path
) -> None:
    where = ["--controller", tls_controller.address, "--token", tls_controller.admin_token]
    first = ktvctl(
        *where, "--ca-fingerprint", _fingerprint(tls_controller), "rooms", config_dir=tmp_path
    )
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "ca.crt").exists()
    again = ktvctl(*where, "--json", "rooms", config_dir=tmp_path)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == []


def test_a_wrong_fingerprint_is_refused(tls_controller: RunningController, tmp_path: Path) -> None:
    result = ktvctl(
        "--controller",
        tls_controller.address,
        "--token",
        tls_controller.admin_token,
        "--ca-fingerprint",
        "00" * 32,
        "rooms",
        config_dir=tmp_path,
    )
    assert result.returncode == 7
    assert result.stderr.startswith("ktvctl: ") and result.stderr.count("\n") == 1
    assert not (tmp_path / "ca.crt").exists()


def test_plain_text_against_a_tls_controller_fails_cleanly(
    tls_controller: RunningController, tmp_path: Path
) -> None:
    result = ktvctl(
        "--controller",
        tls_controller.address,
        "--token",
        tls_controller.admin_token,
        "--insecure",
        "--timeout",
        "3",
        "rooms",
        config_dir=tmp_path,
    )
    assert result.returncode == 9
    assert result.stderr.count("\n") == 1
