"""The room agent stays light: none of its own modules imports the heavy libraries the index
and the reports use (pypinyin's dictionaries alone are ~55 MB of RSS; the agent's budget with
the touchscreen is 250 MB). What media_index imports is media_index's to keep lazy."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HEAVY = {"pypinyin", "opencc", "matplotlib", "numpy", "pandas"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_no_room_agent_module_imports_pinyin_conversion_charts_or_numpy():
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & HEAVY)
        for path in sorted((ROOT / "room_agent").rglob("*.py"))
        if _imports(path) & HEAVY
    }
    assert offenders == {}


def test_the_running_agent_loads_no_cryptography(tmp_path):
    """cryptography (~10 MB of RSS) makes the room's key and certificate at enrollment; a
    running agent only hands PEM files to gRPC."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import room_agent.cli, room_agent.screen_agent, room_agent.link.front_desk\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'cryptography'))\n"
    )
    env = {"KIVY_NO_ARGS": "1", "KIVY_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"
