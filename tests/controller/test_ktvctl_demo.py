"""`./run demo` says where each process it starts logs, and names the log of one that died."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from controller.demo import running_venue


def test_the_demo_says_where_each_process_logs_and_which_one_died(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with running_venue(tmp_path, listen="127.0.0.1:0") as demo:
        demo._spawn(
            [sys.executable, "-c", "print('controller says hi'); raise SystemExit(3)"],
            log="controller.log",
            what="controller",
        )
        demo._spawn(
            [sys.executable, "-c", "import time; time.sleep(60)"],
            log="agents.log",
            what="headless room agents",
        )
        assert demo.procs[0].wait(30) == 3
        demo.say_where_logs_are()
    out = capsys.readouterr().out
    assert f"controller logs to {tmp_path / 'controller.log'}" in out
    assert f"headless room agents logs to {tmp_path / 'agents.log'}" in out
    assert "logs (tail -f one to follow it):" in out
    assert f"controller exited with code 3: see {tmp_path / 'controller.log'}" in out
    assert "headless room agents exited" not in out.split("stopping the venue")[0]
    assert f"the logs stay in {tmp_path}: controller.log, agents.log" in out
    assert "controller says hi" in (tmp_path / "controller.log").read_text()
    assert all(proc.poll() is not None for proc in demo.procs)  # stopped with the venue
