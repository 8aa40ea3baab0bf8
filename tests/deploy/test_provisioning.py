"""Provisioning a Pi and installing the controller, into scratch roots (files only)."""

from __future__ import annotations

import os
import pwd
import stat
import subprocess
import tomllib
from pathlib import Path

import pytest

from controller.deploy import install as controller_install
from ktv import provisioning as prov
from ktv.security import certs
from room_agent import provision
from tests.deploy.scratch import tree_state


def _provision(root: Path, *extra: str) -> int:
    return provision.main(["--room", "A08", "--root", str(root), "--files-only", *extra])


def _passwd_entry(root: Path, name: str) -> list[str]:
    for line in (root / "etc/passwd").read_text().splitlines():
        if line.startswith(name + ":"):
            return line.split(":")
    raise AssertionError(f"no user {name} in {root}/etc/passwd")


def test_provisioning_a_pi_twice_changes_nothing_the_second_time(tmp_path, capsys):
    args = ("--media-root", "/srv/ktv/songs", "--door-pin", "5", "--screen-rotation", "90")
    assert _provision(tmp_path, *args) == 0
    first = capsys.readouterr().out
    assert "result: changed" in first
    before = tree_state(tmp_path)

    assert _provision(tmp_path, *args) == 0
    second = capsys.readouterr().out

    assert tree_state(tmp_path) == before  # same bytes, modes, owners and mtimes
    assert second.rstrip().endswith("result: unchanged")
    assert not [line for line in second.splitlines() if line.split()[0] == "changed"]


def test_provisioned_pi_has_the_unit_config_user_and_enabled_service(tmp_path):
    assert _provision(tmp_path, "--media-root", "/srv/ktv/songs", "--door-pin", "5") == 0
    config = tomllib.loads((tmp_path / "etc/ktv/agent.toml").read_text())
    assert config == {
        "room": "A08",
        "data_dir": "/var/lib/ktv-agent",
        "screen_rotation": 0,
        "media_root": "/srv/ktv/songs",
        "gpio": {"door_pin": 5},
    }
    user = _passwd_entry(tmp_path, "ktv")
    uid, gid = int(user[2]), int(user[3])
    data_dir = (tmp_path / "var/lib/ktv-agent").stat()
    assert (data_dir.st_uid, data_dir.st_gid, stat.S_IMODE(data_dir.st_mode)) == (uid, gid, 0o750)
    toml_stat = (tmp_path / "etc/ktv/agent.toml").stat()
    assert (toml_stat.st_gid, stat.S_IMODE(toml_stat.st_mode)) == (gid, 0o640)
    wants = tmp_path / "etc/systemd/system/multi-user.target.wants/ktv-agent.service"
    assert wants.is_symlink()
    assert os.readlink(wants) == "/etc/systemd/system/ktv-agent.service"
    groups = {line.split(":")[0] for line in (tmp_path / "etc/group").read_text().splitlines()}
    assert {"gpio", "render", "ktv"} <= groups  # the kiosk's SupplementaryGroups= exist


def test_technician_edits_survive_a_rerun_and_new_flags_win(tmp_path):
    assert _provision(tmp_path, "--door-pin", "5") == 0
    config_path = tmp_path / "etc/ktv/agent.toml"
    config_path.write_text(
        config_path.read_text().replace("[gpio]", 'audio_device = "alsa/hw:1"\n\n[gpio]')
        + 'door_open_level = "low"\n'
    )
    assert _provision(tmp_path, "--presence-pin", "22") == 0
    config = tomllib.loads(config_path.read_text())
    assert config["audio_device"] == "alsa/hw:1"
    assert config["gpio"] == {"door_pin": 5, "door_open_level": "low", "presence_pin": 22}


def test_moving_a_pi_to_another_room_rewrites_only_its_config(tmp_path, capsys):
    assert _provision(tmp_path) == 0
    capsys.readouterr()
    assert provision.main(["--room", "B02", "--root", str(tmp_path), "--files-only"]) == 0
    out = capsys.readouterr().out
    changed = [line.split()[-1] for line in out.splitlines() if line.split()[0] == "changed"]
    assert changed == ["/etc/ktv/agent.toml"]
    assert tomllib.loads((tmp_path / "etc/ktv/agent.toml").read_text())["room"] == "B02"


def test_dry_run_on_a_fresh_pi_writes_nothing(tmp_path, capsys):
    assert _provision(tmp_path, "--dry-run") == 0
    assert list(tmp_path.iterdir()) == []
    assert "would change  file /etc/systemd/system/ktv-agent.service" in capsys.readouterr().out


def test_a_broken_agent_toml_is_reported_in_one_line_not_overwritten(tmp_path, capsys):
    config = tmp_path / "etc/ktv/agent.toml"
    config.parent.mkdir(parents=True)
    config.write_text("room = A08 oops\n")
    assert _provision(tmp_path) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("ktv-agent provision: /etc/ktv/agent.toml is not valid TOML")
    assert "\n" not in err
    assert config.read_text() == "room = A08 oops\n"


def test_a_strange_room_id_is_refused(tmp_path, capsys):
    assert provision.main(["--room", "A 08", "--root", str(tmp_path), "--files-only"]) == 2
    assert "room" in capsys.readouterr().err


def test_installing_the_controller_twice_changes_nothing_and_keeps_the_venue_ca(tmp_path, capsys):
    argv = ["--root", str(tmp_path), "--files-only", "--venue-name", "Golden Voice"]
    assert controller_install.main(argv) == 0
    first = capsys.readouterr().out
    assert "result: changed" in first
    ca = (tmp_path / "var/lib/ktv/tls/ca.crt").read_bytes()
    # the technician reads the pin for every Pi off the install report
    assert certs.fingerprint_for_people(certs.fingerprint_sha256(ca)) in first
    before = tree_state(tmp_path)

    assert controller_install.main(argv) == 0
    assert capsys.readouterr().out.rstrip().endswith("result: unchanged")
    assert tree_state(tmp_path) == before
    assert certs.fingerprint_sha256((tmp_path / "var/lib/ktv/tls/ca.crt").read_bytes()) == (
        certs.fingerprint_sha256(ca)
    )


def test_controller_install_leaves_the_ca_key_to_the_ktv_user_alone(tmp_path):
    assert controller_install.main(["--root", str(tmp_path), "--files-only"]) == 0
    uid = int(_passwd_entry(tmp_path, "ktv")[2])
    key = (tmp_path / "var/lib/ktv/tls/ca.key").stat()
    assert (key.st_uid, stat.S_IMODE(key.st_mode)) == (uid, 0o600)
    tls_dir = (tmp_path / "var/lib/ktv/tls").stat()
    assert stat.S_IMODE(tls_dir.st_mode) == 0o700
    for unit in (
        "multi-user.target.wants/ktv-controller.service",
        "timers.target.wants/ktv-controller-backup.timer",
        "timers.target.wants/ktv-controller-cert.timer",
    ):
        assert (tmp_path / "etc/systemd/system" / unit).is_symlink()


@pytest.mark.parametrize("name", ["ktv"])
def test_scratch_installs_never_touch_this_machines_users(tmp_path, name):
    assert controller_install.main(["--root", str(tmp_path), "--files-only"]) == 0
    with pytest.raises(KeyError):
        pwd.getpwnam(name)


def test_the_touchscreen_font_is_saved_at_install_time_as_the_agents_user(tmp_path):
    from room_agent.ui import fonts

    ran: list[list[str]] = []

    def runner(argv):
        ran.append(list(argv))
        return subprocess.CompletedProcess(argv, 0, "", "")

    config = {"data_dir": "/var/lib/ktv-agent"}
    live = prov.HostTarget(root=tmp_path, live=True, runner=runner)
    assert provision.prepare_font(live, config).outcome is prov.Outcome.CHANGED
    assert ran == [[*provision.AGENT_FONTS_COMMAND, "--config", "/etc/ktv/agent.toml"]]
    dry = prov.HostTarget(root=tmp_path, live=True, dry_run=True, runner=runner)
    assert provision.prepare_font(dry, config).outcome is prov.Outcome.WOULD_CHANGE
    files_only = prov.HostTarget(root=tmp_path, live=False)
    assert provision.prepare_font(files_only, config).outcome is prov.Outcome.SKIPPED

    saved = tmp_path / "var/lib/ktv-agent/fonts"
    saved.mkdir(parents=True)
    for weight in fonts.WEIGHTS:
        fonts.font_file(saved, weight).write_bytes(b"OTTO")
    assert provision.prepare_font(live, config).outcome is prov.Outcome.UNCHANGED
    assert len(ran) == 1  # saved once: a second provisioning leaves it alone
