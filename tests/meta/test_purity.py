"""Domain logic is pure: each module of ``ktv.purity.DOMAIN_MODULES`` imports in a fresh
interpreter with grpc, kivy, vlc, gpiozero, zeroconf, sqlite3 and sqlite_utils blocked."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from ktv.purity import DOMAIN_MODULES, EDGE_LIBRARIES, STORE_LAYER_ONLY

ROOT = Path(__file__).resolve().parents[2]

# A meta-path finder that refuses the edge libraries, then the import under test. Anything that
# slips past (a module imported before the blocker, e.g. by site) is caught by the final check.
_PROBE = """
import importlib, sys
BLOCKED = {blocked!r}

class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{{name}} is an edge library (ktv.purity)")
        return None

sys.meta_path.insert(0, Blocker())
for name in sys.argv[1:]:
    importlib.import_module(name)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
assert not loaded, f"loaded anyway: {{loaded}}"
"""


def _import_blocked(*modules: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _PROBE.format(blocked=EDGE_LIBRARIES), *modules],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
    )


@pytest.mark.parametrize("module", DOMAIN_MODULES)
def test_domain_module_imports_without_edge_libraries(module: str) -> None:
    result = _import_blocked(module)
    assert result.returncode == 0, result.stderr[-2000:]


def test_a_domain_module_importing_sqlite3_fails_the_check(tmp_path: Path) -> None:
    (tmp_path / "impure_pricing.py").write_text("import sqlite3\n\nPRICE_FEN = 100\n")
    (tmp_path / "pure_pricing.py").write_text("PRICE_FEN = 100\n")
    assert _import_blocked("pure_pricing", cwd=tmp_path).returncode == 0
    impure = _import_blocked("impure_pricing", cwd=tmp_path)
    assert impure.returncode != 0
    assert "sqlite3 is an edge library" in impure.stderr


def test_lazy_packages_keep_their_names() -> None:
    """``room_agent.player`` and ``media_index`` load their names on first use only."""
    probe = (
        "import sys\n"
        "import room_agent.player.loudness, room_agent.player.sync, room_agent.player.shadow\n"
        "import media_index.model, room_agent.core.queue\n"
        "assert 'vlc' not in sys.modules and 'sqlite3' not in sys.modules, sorted(sys.modules)\n"
        "from room_agent.player import VlcPlayer, PlayerConfig\n"
        "from media_index import Catalog, Song\n"
        "assert 'vlc' in sys.modules and 'sqlite3' in sys.modules\n"
        "import media_index, room_agent.player\n"
        "assert 'Catalog' in dir(media_index) and 'VlcPlayer' in dir(room_agent.player)\n"
        "try:\n"
        "    media_index.Nope\n"
        "except AttributeError:\n"
        "    pass\n"
        "else:\n"
        "    raise SystemExit('no AttributeError')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.parametrize("module", STORE_LAYER_ONLY)
def test_module_reaches_sqlite_only_through_the_store_layer(module: str) -> None:
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    }
    assert not imported & {"sqlite3", "sqlite_utils"}, imported
