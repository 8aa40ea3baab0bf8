"""A controller with browsers watching the board still stops promptly and cleanly on SIGTERM:
the board streams end, the HTTP listeners close, the address file goes."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

from tests.web.venue import WebVenue


def test_sigterm_with_open_board_streams_stops_cleanly(tmp_path: Path) -> None:
    venue = WebVenue(tmp_path / "venue", None, with_agents=False)
    try:
        ended: list[str] = []
        with venue.signed_in("c1") as staff:
            streams = [staff.stream("GET", "/api/board/events") for _ in range(3)]
            opened = [s.__enter__() for s in streams]

            def read(response) -> None:  # type: ignore[no-untyped-def]
                for _ in response.iter_lines():
                    pass
                ended.append("ended")

            readers = [threading.Thread(target=read, args=(r,)) for r in opened]
            for reader in readers:
                reader.start()
            start = time.monotonic()
            venue.ctl.signal(signal.SIGTERM)
            code = venue.ctl.process.wait(30)
            took = time.monotonic() - start
            for reader in readers:
                reader.join(10)
            for stream in streams:
                stream.__exit__(None, None, None)
        assert code == 0, venue.ctl.log_text()[-2000:]
        assert ended == ["ended"] * 3  # every stream ended (not cut mid-message and hung)
        assert took < 15, took
        assert not (venue.data_dir / "controller.web.json").exists()
        assert "Traceback" not in venue.ctl.log_text()
    finally:
        venue.close()
