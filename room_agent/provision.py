"""Turn a fresh Raspberry Pi (Raspberry Pi OS Bookworm) into room A08's agent.

    sudo python3 -m room_agent.provision --room A08 --enroll 123-456 \\
         --ca-fingerprint AB:CD:... --media-root /srv/ktv/songs

(also ``ktv-agent provision`` once installed). Standard library only until the venv exists.
Idempotent: a second run reports every step "unchanged". ``--root DIR --files-only`` writes
the whole layout into a scratch root without apt, pip, live systemctl or the network.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ktv import provisioning as prov
from ktv import tomlfile
from ktv.errors import InvalidArgument
from ktv.room_id import check_room_id
from room_agent.ui import fonts  # standard library only (fonttools runs in its child)

AGENT_CONFIG = "/etc/ktv/agent.toml"
AGENT_DATA_DIR = "/var/lib/ktv-agent"
CREDENTIAL_FILE = f"{AGENT_DATA_DIR}/credential.json"
UNIT = "ktv-agent.service"
# as the service's user, so the saved font is the agent's to read
AGENT_FONTS_COMMAND = ("runuser", "-u", "ktv", "--", f"{prov.VENV_DIR}/bin/ktv-agent", "fonts")
APT_PACKAGES = (
    "python3",
    "python3-venv",
    # no python3-lgpio: it is only in Raspberry Pi's archive (plain Debian's apt-get aborted
    # on it); gpiozero's pin factory comes from the lgpio wheel pyproject pins on aarch64
    "vlc-bin",
    "vlc-plugin-base",
    "ffmpeg",
    "fonts-noto-cjk",
    "libmtdev1",
    "libgl1-mesa-dri",
    "libegl1",
    "libgles2",
    "libgbm1",
    "alsa-utils",
    "cifs-utils",  # the song library on the NAS
)
FILES = (
    # (source in systemd/, destination on the Pi, mode)
    ("ktv-sysusers.conf", "/usr/lib/sysusers.d/ktv.conf", 0o644),
    ("ktv-agent-sysusers.conf", "/usr/lib/sysusers.d/ktv-agent.conf", 0o644),
    ("ktv-agent-tmpfiles.conf", "/usr/lib/tmpfiles.d/ktv-agent.conf", 0o644),
    (UNIT, f"/etc/systemd/system/{UNIT}", 0o644),
)
CONFIG_HEADER = (
    "KTV room agent. Written by `ktv-agent provision`; edits are kept on the next run\n"
    "except for the values given on its command line."
)


def agent_config(existing: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """defaults < what the file already says < flags given now."""
    doc: dict[str, Any] = {
        "room": args.room,
        "data_dir": AGENT_DATA_DIR,
        "screen_rotation": 0,
    }
    doc.update({k: v for k, v in existing.items() if not isinstance(v, dict)})
    flags = {
        "room": args.room,
        "controller": args.controller,
        "media_root": args.media_root,
        "audio_device": args.audio_device,
        "screen_rotation": args.screen_rotation,
    }
    doc.update({k: v for k, v in flags.items() if v is not None})
    gpio = dict(existing.get("gpio", {}))
    for key, value in (("door_pin", args.door_pin), ("presence_pin", args.presence_pin)):
        if value is not None:
            gpio[key] = value
    if gpio:
        doc["gpio"] = gpio
    return doc


def _existing_config(target: prov.HostTarget) -> dict[str, Any]:
    path = target.path(AGENT_CONFIG)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise InvalidArgument(
            f"{AGENT_CONFIG} is not valid TOML ({exc}): fix or remove it"
        ) from exc


def enroll(target: prov.HostTarget, args: argparse.Namespace) -> prov.StepResult:
    """Exchange the one-time code for the room's certificate (once: codes are single-use)."""
    step = f"enroll room {args.room}"
    if target.path(CREDENTIAL_FILE).exists():
        return prov.StepResult(step, prov.Outcome.UNCHANGED, "already enrolled")
    if not args.enroll:
        return prov.StepResult(step, prov.Outcome.SKIPPED, "no --enroll code given")
    if not target.live:
        return prov.StepResult(step, prov.Outcome.SKIPPED, "files only")
    if target.dry_run:
        return prov.StepResult(step, prov.Outcome.WOULD_CHANGE)
    # as the service's user, so the credential (0600) is the agent's to read
    argv = ["runuser", "-u", "ktv", "--", f"{prov.VENV_DIR}/bin/ktv-agent", "enroll"]
    argv += ["--config", AGENT_CONFIG]
    argv += ["--code", args.enroll]
    if args.ca_fingerprint:
        argv += ["--ca-fingerprint", args.ca_fingerprint]
    target.run(argv)
    return prov.StepResult(step, prov.Outcome.CHANGED)


def prepare_font(target: prov.HostTarget, config: dict[str, Any]) -> prov.StepResult:
    """Save the touchscreen's SC font now, as the service's user: otherwise the first start
    does it (~30 s here, longer on a Pi, and a ~600 MB peak beside a playing agent)."""
    step = "touchscreen font (Noto Sans CJK SC)"
    directory = target.path(str(Path(config.get("data_dir", AGENT_DATA_DIR)) / "fonts"))
    if all(fonts.font_file(directory, weight).exists() for weight in fonts.WEIGHTS):
        return prov.StepResult(step, prov.Outcome.UNCHANGED, "already saved")
    if not target.live:
        return prov.StepResult(step, prov.Outcome.SKIPPED, "files only")
    if target.dry_run:
        return prov.StepResult(step, prov.Outcome.WOULD_CHANGE)
    target.run([*AGENT_FONTS_COMMAND, "--config", AGENT_CONFIG])
    return prov.StepResult(step, prov.Outcome.CHANGED)


def provision(args: argparse.Namespace) -> prov.InstallReport:
    check_room_id(args.room)
    target = prov.target_from_arguments(args)
    report = prov.InstallReport()
    report.add(prov.install_apt_packages(target, APT_PACKAGES))
    unit_changed = False
    for source, dest, mode in FILES:
        result = report.add(prov.install_file(target, dest, prov.systemd_file(source), mode))
        unit_changed |= dest.endswith(UNIT) and result.outcome is prov.Outcome.CHANGED
    config = agent_config(_existing_config(target), args)
    text = tomlfile.dumps(config, CONFIG_HEADER).encode()
    config_result = report.add(prov.install_file(target, AGENT_CONFIG, text, 0o640))
    if not target.dry_run:
        report.add(prov.create_users(target, [d for _s, d, _m in FILES if "sysusers" in d]))
        report.add(prov.create_directories(target, ["/usr/lib/tmpfiles.d/ktv-agent.conf"]))
    app = report.add(prov.install_app(target, Path(args.source)))
    report.add(prepare_font(target, config))
    report.add(enroll(target, args))
    report.add(prov.enable_units(target, [UNIT]))
    changed = (
        unit_changed
        or config_result.outcome is prov.Outcome.CHANGED
        or app.outcome is prov.Outcome.CHANGED
    )
    report.add(prov.start_units(target, [UNIT], restart=changed))
    return report


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    p = parser or argparse.ArgumentParser(
        prog="ktv-agent provision", description=__doc__.split("\n")[0]
    )
    p.add_argument("--room", required=True, help="room id, e.g. A08")
    p.add_argument("--enroll", metavar="CODE", help="one-time code from `ktvctl` / the controller")
    p.add_argument("--ca-fingerprint", help="venue CA SHA-256 printed by `ktv-controller init`")
    p.add_argument("--controller", help="host:port (default: find it by zeroconf)")
    p.add_argument("--media-root", help="song library path, e.g. /srv/ktv/songs")
    p.add_argument("--audio-device", help='e.g. "alsa/hw:CARD=vc4hdmi0"')
    p.add_argument("--screen-rotation", type=int, choices=(0, 90, 180, 270))
    p.add_argument("--door-pin", type=int, help="BCM pin of the door reed switch")
    p.add_argument("--presence-pin", type=int, help="BCM pin of the IR/PIR sensor")
    prov.add_target_arguments(p)
    return p


def run(args: argparse.Namespace) -> int:
    return prov.report_or_error("ktv-agent provision", lambda: provision(args))


def main(argv: Sequence[str] | None = None) -> int:
    return run(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
