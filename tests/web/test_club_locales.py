"""Every string of the draws and payment-issue pages (src/club, the ``club.*`` keys) in both
languages: the two locale files have the same keys, and every key the pages name exists."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

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
walk(tree, 'club.')
console.log(JSON.stringify(out.sort()))
"""


def _keys(lang: str) -> set[str]:
    node = shutil.which("node")
    assert node, "node is needed to build the web app (./run setup installs it)"
    out = subprocess.run(
        [node, "-e", FLATTEN, str(UI / "locales" / f"club.{lang}.js")],
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout
    return set(json.loads(out))


def test_both_languages_have_the_same_club_keys() -> None:
    zh, en = _keys("zh-CN"), _keys("en")
    assert zh - en == set(), "keys only in Chinese"
    assert en - zh == set(), "keys only in English"
    assert len(zh) > 80


def test_every_club_key_the_pages_name_exists() -> None:
    known = _keys("zh-CN")
    named: set[str] = set()
    prefixes: set[str] = set()
    for path in [*(UI / "club").rglob("*.vue"), *(UI / "club").rglob("*.js"), UI / "App.vue"]:
        text = path.read_text(encoding="utf-8")
        named |= set(re.findall(r"""t\(['"](club\.[A-Za-z0-9_.]+)['"]""", text))
        prefixes |= set(re.findall(r"t\(`(club\.[A-Za-z0-9_.]+?)\$\{", text))
    assert len(named) > 50, "found few club keys: the pattern is wrong"
    assert named - known == set()
    for prefix in prefixes:  # t(`club.stateName.${s}`): the family exists
        assert any(k.startswith(prefix) for k in known), prefix
