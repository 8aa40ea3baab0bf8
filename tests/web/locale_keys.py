"""The keys of one family of the web app's locale files (``club.zh-CN.js``: ``club.*``), read by
node from the module's object literal, and the keys a set of pages names through ``t('...')``.
Shared by the per-family locale tests."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from tests.support.controller import REPO_ROOT

UI = REPO_ROOT / "controller" / "web" / "ui" / "src"
# node evaluates the locale module's object literal (export default {...}) and prints its keys
FLATTEN = """
const fs = require('fs')
const text = fs.readFileSync(process.argv[1], 'utf8').replace(/^\\s*export default/m, 'return')
const tree = new Function(text)()
const out = []
const walk = (o, p) => Object.entries(o).forEach(([k, v]) =>
  typeof v === 'object' ? walk(v, p + k + '.') : out.push(p + k))
walk(tree, process.argv[2] + '.')
console.log(JSON.stringify(out.sort()))
"""


def locale_keys(family: str, lang: str) -> set[str]:
    """Every key of ``locales/{family}.{lang}.js``, prefixed ``{family}.``."""
    node = shutil.which("node")
    assert node, "node is needed to build the web app (./run setup installs it)"
    out = subprocess.run(
        [node, "-e", FLATTEN, str(UI / "locales" / f"{family}.{lang}.js"), family],
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout
    return set(json.loads(out))


def named_keys(family: str, paths: Iterable[Path]) -> tuple[set[str], set[str]]:
    """The ``{family}.*`` keys the files name literally (``t('stock.x')``), and the prefixes of
    keys they build (``t(`stock.kind.${k}`)``)."""
    named: set[str] = set()
    prefixes: set[str] = set()
    for path in paths:
        text = path.read_text(encoding="utf-8")
        named |= set(re.findall(rf"""t\(['"]({family}\.[A-Za-z0-9_.]+)['"]""", text))
        prefixes |= set(re.findall(rf"t\(`({family}\.[A-Za-z0-9_.]+?)\$\{{", text))
    return named, prefixes
