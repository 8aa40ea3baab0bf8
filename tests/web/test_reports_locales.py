"""Every string of the report pages (src/reports, the ``reports.*`` keys) in both languages:
the two locale files have the same keys (but ``reports.col.*`` and ``reports.cat.*``: English
names of the server's Chinese column and category labels, which Chinese shows as they come),
and every key the pages name exists."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

from tests.support.controller import REPO_ROOT

UI = REPO_ROOT / "controller" / "web" / "ui" / "src"
FLATTEN = """
const fs = require('fs')
const text = fs.readFileSync(process.argv[1], 'utf8').replace(/^\\s*export default/m, 'return')
const tree = new Function(text)()
const out = []
const walk = (o, p) => Object.entries(o).forEach(([k, v]) =>
  typeof v === 'object' ? walk(v, p + k + '.') : out.push(p + k))
walk(tree, 'reports.')
console.log(JSON.stringify(out.sort()))
"""
SERVER_NAMED = ("reports.col.", "reports.cat.")


def _keys(lang: str) -> set[str]:
    node = shutil.which("node")
    assert node, "node is needed to build the web app (./run setup installs it)"
    out = subprocess.run(
        [node, "-e", FLATTEN, str(UI / "locales" / f"reports.{lang}.js")],
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout
    return set(json.loads(out))


def test_both_languages_have_the_same_report_keys() -> None:
    zh, en = _keys("zh-CN"), _keys("en")
    assert zh - en == set(), "keys only in Chinese"
    assert {k for k in en - zh if not k.startswith(SERVER_NAMED)} == set(), "only in English"
    assert len(zh) > 100


def test_every_report_key_the_pages_name_exists() -> None:
    known = _keys("zh-CN")
    named: set[str] = set()
    prefixes: set[str] = set()
    for path in [*(UI / "reports").rglob("*.vue"), *(UI / "reports").rglob("*.js"), UI / "App.vue"]:
        text = path.read_text(encoding="utf-8")
        named |= set(re.findall(r"""t\(['"](reports\.[A-Za-z0-9_.]+)['"]""", text))
        prefixes |= set(re.findall(r"t\(`(reports\.[A-Za-z0-9_.]+\.)\$\{", text))
    assert len(named) > 40, "found few report keys: the pattern is wrong"
    assert named - known == set()
    for prefix in prefixes:  # t(`reports.period.${kind}`): the family exists
        assert any(k.startswith(prefix) for k in known), prefix
