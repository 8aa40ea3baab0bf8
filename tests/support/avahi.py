"""A private avahi-daemon (+ its own dbus-daemon) on loopback, for checking that the
controller is discoverable by an independent mDNS client (``avahi-browse``).

    with IsolatedAvahi(tmp_path) as avahi:
        lines = avahi.browse("_ktv._tcp")     # avahi-browse -rtp, parsed lines

Nothing system-wide is touched: dbus-daemon listens on a socket in ``workdir`` with its own
config; avahi-daemon runs in a private mount namespace (``unshare -m`` + tmpfs on /run, for its
pid file) with ``allow-interfaces=lo`` and talks to that bus through
``DBUS_SYSTEM_BUS_ADDRESS``. Both processes are ours and are stopped on exit. Needs root
(mount namespace), avahi-daemon, avahi-utils and dbus (Debian).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

DBUS_CONF = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
"""

AVAHI_CONF = """[server]
host-name={host}
use-ipv4=yes
use-ipv6=no
allow-interfaces=lo
enable-dbus=yes
[wide-area]
enable-wide-area=no
[publish]
publish-hinfo=no
publish-workstation=no
publish-addresses=no
"""


def available() -> list[str]:
    """Missing programs (empty when the fixture can run)."""
    return [
        p for p in ("dbus-daemon", "avahi-daemon", "avahi-browse", "unshare") if not shutil.which(p)
    ]


class IsolatedAvahi:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.socket = workdir / "bus"
        self.env = {**os.environ, "DBUS_SYSTEM_BUS_ADDRESS": f"unix:path={self.socket}"}
        self._dbus: subprocess.Popen[bytes] | None = None
        self._avahi: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> IsolatedAvahi:
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "dbus.conf").write_text(DBUS_CONF.format(socket=self.socket))
        host = f"ktvtest{uuid.uuid4().hex[:8]}"
        (self.workdir / "avahi.conf").write_text(AVAHI_CONF.format(host=host))
        log = open(self.workdir / "daemons.log", "ab")
        self._dbus = subprocess.Popen(
            ["dbus-daemon", f"--config-file={self.workdir / 'dbus.conf'}", "--nofork"],
            stdout=log,
            stderr=log,
        )
        self._wait(lambda: self.socket.exists(), "dbus-daemon socket")
        script = (
            "mount -n -t tmpfs ktvavahi /run && mkdir -p /run/avahi-daemon && "
            f"exec avahi-daemon -f {self.workdir / 'avahi.conf'} --no-drop-root --no-chroot"
        )
        self._avahi = subprocess.Popen(
            ["unshare", "-m", "--propagation", "private", "sh", "-c", script],
            stdout=log,
            stderr=log,
            env=self.env,
        )
        log.close()
        self._wait(lambda: b"Server startup complete" in self.log_bytes(), "avahi-daemon start")
        return self

    def log_bytes(self) -> bytes:
        path = self.workdir / "daemons.log"
        return path.read_bytes() if path.exists() else b""

    def _wait(self, ready, what: str, timeout_s: float = 15.0) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if ready():
                return
            for proc in (self._dbus, self._avahi):
                if proc is not None and proc.poll() is not None:
                    raise RuntimeError(f"{what}: daemon exited\n{self.log_bytes().decode()}")
            time.sleep(0.05)
        raise RuntimeError(f"{what}: not ready in {timeout_s} s\n{self.log_bytes().decode()}")

    def browse(self, service_type: str, timeout_s: float = 10.0) -> list[list[str]]:
        """``avahi-browse -rtp TYPE``: resolved entries (lines starting with '=') split on ';'."""
        result = subprocess.run(
            ["avahi-browse", "-rtp", service_type],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            env=self.env,
        )
        return [line.split(";") for line in result.stdout.splitlines() if line.startswith("=")]

    def __exit__(self, *exc: object) -> None:
        for proc in (self._avahi, self._dbus):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(5)
