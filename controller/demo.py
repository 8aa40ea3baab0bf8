"""`./run demo`: a whole venue on one machine.

Builds the demo song library and its catalog, starts the controller (plain text, loopback:
``--insecure-dev`` — a venue runs ``ktv-controller init`` for TLS), enrolls room agents the
way a technician does, starts them, opens a few rooms at the front desk, and shows the live
room board until Ctrl-C. Every step goes through the real commands (``ktv-index``,
``ktv-controller``, ``ktvctl``, ``ktv-agent``), so the demo is also a smoke test of them.

Each process it starts logs to its own file in the data dir (``controller.log``,
``agents.log``, ``touchscreen.log``); the demo says which as it starts them, lists them once
the venue is up, and names the log of any process that died.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from room_agent.link.credentials import load_credential

ROOT = Path(__file__).resolve().parent.parent
VENUE_CONFIG = ROOT / "examples" / "venue.toml"
EXTRA_ROOMS = (("A10", "small"), ("A11", "small"), ("B03", "vip"))
TOUCHSCREEN_ROOM = "A08"  # with a display: this room gets the real touchscreen + player
BIN = Path(sys.executable).parent


# Staff the demo creates for the web app: (id, role, display name, PIN).
DEMO_STAFF = (
    ("c1", "cashier", "收银员小陈", "1111"),
    ("m1", "manager", "王经理", "2222"),
)


def _say(text: str) -> None:
    print(f"\033[1;35m[demo]\033[0m {text}", flush=True)


def _tool(name: str) -> str:
    path = BIN / name
    return str(path) if path.exists() else name


class Demo:
    def __init__(self, data_dir: Path, *, listen: str) -> None:
        self.data_dir = data_dir
        self.listen = listen
        self.controller_dir = data_dir / "controller"
        self.agents_dir = data_dir / "agents"
        self.library = data_dir / "library"
        self.catalog = data_dir / "catalog.sqlite"
        self.procs: list[subprocess.Popen[bytes]] = []
        self.logs: dict[str, Path] = {}  # what -> its log file
        self._what: dict[int, str] = {}  # pid -> what
        self.address = ""

    # -- steps -------------------------------------------------------------------------------

    def build_library(self) -> None:
        if not (self.library / ".demo-complete").exists():
            _say(f"generating the demo song library in {self.library} (about a minute, once)")
            subprocess.run([_tool("ktv-index"), "demo-library", str(self.library)], check=True)
            (self.library / ".demo-complete").touch()
        _say("scanning it into the catalog (incremental)")
        subprocess.run(
            [_tool("ktv-index"), "scan", str(self.library), "--db", str(self.catalog)], check=True
        )

    def start_controller(self) -> None:
        self.controller_dir.mkdir(parents=True, exist_ok=True)
        addr_file = self.controller_dir / "controller.addr"
        addr_file.unlink(missing_ok=True)
        _say("starting the controller (PLAIN TEXT, --insecure-dev: demo only)")
        venue = self.controller_dir / "demo-venue.toml"  # phones pay on the sandbox's page
        venue.write_text(
            VENUE_CONFIG.read_text("utf-8").replace(
                "[payments]\n", '[payments]\nphone = ["sandbox"]\n', 1
            ),
            "utf-8",
        )
        self._spawn(
            [
                sys.executable,
                "-m",
                "controller",
                "serve",
                "--data-dir",
                str(self.controller_dir),
                "--listen",
                self.listen,
                "--insecure-dev",
                "--mdns-interface",
                "127.0.0.1",
                "--venue-config",
                str(venue),
                "--catalog",  # the rooms' plays fill the demo's charts (ktv-index chart)
                str(self.catalog),
            ],
            log="controller.log",
            what="controller",
        )
        deadline = time.monotonic() + 30
        while not addr_file.exists():
            if time.monotonic() > deadline or self.procs[-1].poll() is not None:
                raise SystemExit(f"controller did not start; see {self.logs['controller']}")
            time.sleep(0.1)
        self.address = addr_file.read_text().strip()
        _say(f"controller listening on {self.address}")
        _say(f"rooms' plays feed the charts: ktv-index chart --days 0 --db {self.catalog}")

    def ktvctl(self, *args: str, check: bool = True) -> object:
        out = subprocess.run(
            [
                _tool("ktvctl"),
                "--controller",
                self.address,
                "--data-dir",
                str(self.controller_dir),
                "--json",
                *args,
            ],
            capture_output=True,
            text=True,
        )
        if check and out.returncode != 0:
            raise SystemExit(f"ktvctl {' '.join(args)} failed: {out.stderr.strip()}")
        return json.loads(out.stdout) if out.stdout.strip() else None

    def add_rooms(self) -> list[str]:
        existing = {r["name"].split("/")[-1] for r in self._rooms()}
        for room_id, tier in EXTRA_ROOMS:
            if room_id not in existing:
                self.ktvctl("room", "add", room_id, "--tier", tier)
        return sorted(r["name"].split("/")[-1] for r in self._rooms())

    def enroll_and_start_agents(self, rooms: Sequence[str], *, touchscreen: bool) -> None:
        for room in rooms:
            room_dir = self.agents_dir / room
            if load_credential(room_dir) is not None:
                continue  # enrolled on an earlier run
            code = self.ktvctl("agent", "enroll", room)["code"]  # type: ignore[index]
            subprocess.run(
                [
                    _tool("ktv-agent"),
                    "enroll",
                    "--room",
                    room,
                    "--code",
                    code,
                    "--controller",
                    self.address,
                    "--data-dir",
                    str(room_dir),
                ],
                check=True,
                capture_output=True,
            )
        headless = [r for r in rooms if not (touchscreen and r == TOUCHSCREEN_ROOM)]
        if touchscreen:
            self.start_touchscreen(TOUCHSCREEN_ROOM)
        _say(f"starting {len(headless)} headless room agents with simulated door/presence sensors")
        self._spawn(
            [
                _tool("ktv-agent"),
                "run",
                "--headless",
                "--rooms",
                ",".join(headless),
                "--controller",
                self.address,
                "--data-dir",
                str(self.agents_dir),
                "--simulate-events",
                "20",
            ],
            log="agents.log",
            what="headless room agents",
        )

    def start_touchscreen(self, room: str) -> None:
        """The full room agent: Kivy touchscreen, libVLC player, core, mock GPIO, link."""
        room_dir = self.agents_dir / room
        room_dir.mkdir(parents=True, exist_ok=True)
        room_catalog = room_dir / "catalog.db"  # the room's own copy: published versions
        shutil.copy(self.catalog, room_catalog)  # replace it, never the controller's master
        config = room_dir / "agent.toml"
        config.write_text(
            f'room = "{room}"\n'
            f'controller = "{self.address}"\n'
            f'data_dir = "{room_dir}"\n'
            f'media_root = "{self.library}"\n'
            f'catalog_path = "{room_catalog}"\n'
            "mock_gpio = true\n"
        )
        _say(f"starting the touchscreen of room {room} (a window; songs play on this machine)")
        self._spawn(
            [_tool("ktv-agent"), "run", "--config", str(config), "--windowed"],
            log="touchscreen.log",
            what=f"touchscreen of {room}",
        )

    def open_some_rooms(self) -> None:
        """Best effort: the front desk opens two rooms if billing is available."""
        for room, guests in (("A08", "4"), ("B02", "8")):
            with contextlib.suppress(SystemExit):
                self.ktvctl("open", room, "--guests", guests, check=True)

    def members_at_the_desk(self) -> None:
        """Best effort: a member tops up, and the birthday campaign writes to the outbox
        (the demo's notifier is the file DATA_DIR/notifications.jsonl)."""
        import datetime as _dt

        soon = (_dt.date.today() + _dt.timedelta(days=3)).replace(year=1992).isoformat()
        with contextlib.suppress(SystemExit):
            self.ktvctl(
                "member",
                "add",
                "13800138000",
                "--name",
                "张伟",
                "--birthday",
                soon,
                "--card",
                "VIP0001",
                "--pin",
                "2580",
            )
            self.ktvctl(  # the terminal provider needs the POS slip's reference
                "member", "topup", "13800138000", "500", "--tender", "wechat", "--ref", "WX-DEMO-1"
            )
        with contextlib.suppress(SystemExit):
            self.ktvctl("campaign", "run", "birthday")
            _say(
                f"member 13800138000 (PIN 2580); outbox: {self.controller_dir}/notifications.jsonl"
            )

    def staff_for_the_browser(self, rooms: Sequence[str]) -> None:
        """Demo staff for the web app, the rooms on a floor plan (by their letter: A 1F,
        B 2F, ...), and where to open the board."""
        for staff_id, role, name, pin in DEMO_STAFF:
            self.ktvctl("staff", "add", staff_id, "--role", role, "--name", name, "--pin", pin)
        columns: dict[str, int] = {}
        for room in rooms:
            floor = f"{max(ord(room[0].upper()) - ord('A'), 0) + 1}F"
            column = columns.get(floor, 0)
            columns[floor] = column + 1
            with contextlib.suppress(SystemExit):
                self.ktvctl(
                    "room", "layout", room, "--floor", floor,
                    "--col", str(column % 6), "--row", str(column // 6),
                )  # fmt: skip
        web = self.controller_dir / "controller.web.json"
        if not web.exists():
            _say("the web app is off ([web] enabled = false)")
            return
        url = json.loads(web.read_text())["url"]
        _say(f"board and front desk in a browser: {url}/  (PLAIN HTTP: demo only)")
        for staff_id, role, _, pin in DEMO_STAFF:
            _say(f"  sign in as {staff_id} / PIN {pin} ({role})")
        _say(f"  API reference: {url}/api/docs")

    def say_where_logs_are(self) -> None:
        _say("logs (tail -f one to follow it):")
        for what, path in self.logs.items():
            _say(f"  {what:<24} {path}")

    def report_dead(self) -> None:
        """Name every process that already exited, with its log (a crash is not silent)."""
        for proc in self.procs:
            code = proc.poll()
            if code is not None:
                what = self._what.get(proc.pid, "a process")
                _say(f"{what} exited with code {code}: see {self.logs.get(what, self.data_dir)}")

    def watch(self, seconds: float | None) -> None:
        if seconds is None and sys.stdout.isatty():
            _say("live room board (Ctrl-C to stop the venue)")
            with contextlib.suppress(KeyboardInterrupt):
                subprocess.run(
                    [
                        _tool("ktvctl"),
                        "--controller",
                        self.address,
                        "--data-dir",
                        str(self.controller_dir),
                        "rooms",
                        "--watch",
                    ]
                )
            return
        end = None if seconds is None else time.monotonic() + seconds
        with contextlib.suppress(KeyboardInterrupt):
            while end is None or time.monotonic() < end:
                subprocess.run(
                    [
                        _tool("ktvctl"),
                        "--controller",
                        self.address,
                        "--data-dir",
                        str(self.controller_dir),
                        "rooms",
                    ]
                )
                time.sleep(min(5.0, max(0.0, (end or 1e18) - time.monotonic())))

    # -- plumbing ----------------------------------------------------------------------------

    def _rooms(self) -> list[dict[str, object]]:
        data = self.ktvctl("rooms")
        return data["rooms"] if isinstance(data, dict) else data  # type: ignore[return-value]

    def _spawn(self, argv: list[str], *, log: str, what: str) -> None:
        path = self.data_dir / log
        log_file = open(path, "ab")  # noqa: SIM115 - the child keeps its own copy
        proc = subprocess.Popen(argv, stdout=log_file, stderr=subprocess.STDOUT)
        log_file.close()  # the child has its own copy
        self.procs.append(proc)
        self.logs[what] = path
        self._what[proc.pid] = what
        _say(f"{what} logs to {path}")

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in reversed(self.procs):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextlib.contextmanager
def running_venue(data_dir: Path, *, listen: str) -> Iterator[Demo]:
    demo = Demo(data_dir, listen=listen)
    try:
        yield demo
    finally:
        demo.report_dead()
        _say("stopping the venue")
        demo.stop()
        if demo.logs:
            _say(f"the logs stay in {data_dir}: " + ", ".join(p.name for p in demo.logs.values()))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./run demo", description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "demo-data")
    parser.add_argument("--listen", default="127.0.0.1:50051")
    parser.add_argument(
        "--touchscreen",
        action=argparse.BooleanOptionalAction,
        default=bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")),
        help=f"run room {TOUCHSCREEN_ROOM}'s touchscreen (default: when there is a display)",
    )
    parser.add_argument(
        "--seconds", type=float, default=None, help="stop after this long (default: until Ctrl-C)"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    args.data_dir.mkdir(parents=True, exist_ok=True)
    with running_venue(args.data_dir.resolve(), listen=args.listen) as demo:
        demo.build_library()
        demo.start_controller()
        rooms = demo.add_rooms()
        demo.enroll_and_start_agents(rooms, touchscreen=args.touchscreen)
        demo.open_some_rooms()
        demo.members_at_the_desk()
        demo.staff_for_the_browser(rooms)
        demo.say_where_logs_are()
        demo.watch(args.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
