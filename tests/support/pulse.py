"""A private PulseAudio server with a null sink, and a recorder of what it plays.

Listening through a real audio server is the only honest measure of a vocal switch: libVLC's
amem callbacks never see the output restarts a guest hears (STACK-NOTES). Each server gets
its own runtime dir, HOME and socket, so parallel test runs never share one, and it is
killed (by its own pid) when the context ends.

    with PulseServer(tmp_path) as pulse:        # sets PULSE_SERVER for this process
        with pulse.record() as rec:             # parec on the sink's monitor
            ...play with AudioOutput(OutputKind.PULSE)...
        samples = rec.samples()                 # float (n, 2), full scale 1.0
        rec.sample_at(time.monotonic())         # index of the sample heard at an instant
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import numpy as np

RATE_HZ = 44100
SINK = "ktvcap"


class PulseError(RuntimeError):
    pass


class PulseServer:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.runtime = base / "pulse-runtime"
        self.socket = self.runtime / "native"
        self._proc: subprocess.Popen[bytes] | None = None
        self._keepalive: subprocess.Popen[bytes] | None = None
        self._saved_env: dict[str, str | None] = {}

    def env(self) -> dict[str, str]:
        return {
            "PULSE_RUNTIME_PATH": str(self.runtime),
            "PULSE_STATE_PATH": str(self.base / "pulse-state"),
            "PULSE_SERVER": f"unix:{self.socket}",
            "HOME": str(self.base / "pulse-home"),
            "XDG_RUNTIME_DIR": str(self.runtime),
        }

    def __enter__(self) -> PulseServer:
        if shutil.which("pulseaudio") is None or shutil.which("parec") is None:
            raise PulseError("pulseaudio and parec are needed (Debian pulseaudio-utils)")
        for key in ("pulse-runtime", "pulse-state", "pulse-home"):
            (self.base / key).mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **self.env()}
        self._proc = subprocess.Popen(
            [
                "pulseaudio",
                "--daemonize=no",
                "--exit-idle-time=-1",
                "--disallow-exit",
                "--system=no",
                "-n",
                "--use-pid-file=no",
                "--log-target=stderr",
                "--log-level=error",
                f"--load=module-null-sink sink_name={SINK} rate={RATE_HZ}",
                f"--load=module-native-protocol-unix socket={self.socket} auth-anonymous=1",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            ok = subprocess.run(["pactl", "info"], env=env, capture_output=True, timeout=5)
            if ok.returncode == 0:
                break
            if self._proc.poll() is not None:
                raise PulseError("pulseaudio exited at start")
            time.sleep(0.05)
        else:
            self.__exit__()
            raise PulseError("pulseaudio did not come up within 10 s")
        # A silent stream keeps the sink running: a monitor of an idle sink only starts
        # delivering ~1 s after the first sound, which would hide a song's start.
        self._keepalive = subprocess.Popen(
            [
                "pacat",
                "--playback",
                f"--device={SINK}",
                "--raw",
                "--format=s16le",
                f"--rate={RATE_HZ}",
                "--channels=2",
                "/dev/zero",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for key, value in self.env().items():
            if key != "HOME":
                self._saved_env[key] = os.environ.get(key)
                os.environ[key] = value
        return self

    def __exit__(self, *_exc: object) -> None:
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_env.clear()
        for proc in (self._keepalive, self._proc):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=5)
        self._proc = self._keepalive = None

    def record(self) -> MonitorRecording:
        return MonitorRecording(self)

    def sink_input_volumes(self) -> str:
        env = {**os.environ, **self.env()}
        out = subprocess.run(["pactl", "list", "sink-inputs"], env=env, capture_output=True)
        return out.stdout.decode(errors="replace")


class MonitorRecording:
    """parec on the null sink's monitor; chunk arrival times map samples to instants."""

    def __init__(self, server: PulseServer) -> None:
        self._server = server
        self._proc: subprocess.Popen[bytes] | None = None
        self._chunks: list[tuple[float, bytes]] = []
        self._thread: threading.Thread | None = None

    def __enter__(self) -> MonitorRecording:
        env = {**os.environ, **self._server.env()}
        self._proc = subprocess.Popen(
            [
                "parec",
                f"--device={SINK}.monitor",
                "--format=s16le",
                f"--rate={RATE_HZ}",
                "--channels=2",
                "--latency-msec=5",
                "--raw",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._thread = threading.Thread(target=self._read, name="parec-reader", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._chunks and time.monotonic() < deadline:
            time.sleep(0.01)
        if not self._chunks:
            self.__exit__()
            raise PulseError("the sink's monitor delivered nothing within 10 s")
        return self

    def _read(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        while True:
            data = self._proc.stdout.read1(8192)
            if not data:
                return
            self._chunks.append((time.monotonic(), data))

    def __exit__(self, *_exc: object) -> None:
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.terminate()
            self._proc.wait(timeout=5)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def samples(self) -> np.ndarray:
        raw = b"".join(data for _t, data in self._chunks)
        raw = raw[: len(raw) // 4 * 4]
        return np.frombuffer(raw, dtype=np.int16).reshape(-1, 2) / 32768.0

    def _offsets(self) -> tuple[np.ndarray, np.ndarray]:
        """Per chunk: its arrival instant, and arrival minus the duration recorded so far
        (the stream's start instant as that chunk tells it, never earlier than the truth)."""
        frames = np.cumsum([len(data) // 4 for _t, data in self._chunks])
        arrived = np.array([t for t, _data in self._chunks])
        return arrived, arrived - frames / RATE_HZ

    def sample_at(self, instant: float) -> int:
        """Index of the sample recorded at monotonic ``instant``, on the monitor's own
        timeline near that instant: each chunk's last sample arrived no earlier than it was
        recorded, so the smallest arrival-minus-duration offset among the chunks that arrived
        within a second of ``instant`` is the best (least delayed) estimate of where the
        stream started. Local, so that audio the capture lost elsewhere (parec overrun on a
        loaded machine) does not shift the whole recording."""
        arrived, starts = self._offsets()
        near = np.abs(arrived - instant) <= self.LOCAL_S
        best = float(starts[near].min() if near.any() else starts.min())
        return round((instant - best) * RATE_HZ)

    LOCAL_S = 1.0

    def lost_ms(self, start: float, end: float) -> float:
        """Audio the capture itself dropped between two instants (ms): the recording's start
        estimate moves later by exactly what was lost (a late chunk only looks later until
        the next prompt one). Nothing to do with the player: a test that finds the capture
        underran around what it analyses may record again."""
        arrived, starts = self._offsets()
        before = starts[np.abs(arrived - start) <= self.LOCAL_S]
        after = starts[np.abs(arrived - end) <= self.LOCAL_S]
        if not len(before) or not len(after):
            return float("inf")
        return max(0.0, float(after.min() - before.min()) * 1000)
