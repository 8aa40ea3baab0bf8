"""The guest's phone page as built (no controller, no browser): its first load is small and
carries no staff code, and its two languages name the same strings."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

from tests.support.controller import REPO_ROOT
from tests.support.guest_page import FIRST_LOAD_BUDGET_GZ, first_load

SRC = REPO_ROOT / "controller" / "web" / "ui" / "src" / "guest"
KEYS = """
const fs = require('fs')
const text = fs.readFileSync(process.argv[1], 'utf8').replace(/^\\s*export default/m, 'return')
console.log(JSON.stringify(Object.keys(new Function(text)()).sort()))
"""


def test_the_first_load_is_under_budget_and_carries_no_staff_code() -> None:
    files = first_load()
    names = [f.name for f in files]
    assert names[0] == "guest.html"
    assert any(n.endswith(".js") for n in names) and any(n.endswith(".css") for n in names)
    total = sum(f.gz for f in files)
    assert total <= FIRST_LOAD_BUDGET_GZ, f"{total} bytes gzipped: {names}"
    text = "".join(f.text for f in files)
    assert "Vant" in text or "van-" in text  # the page is built from Vant
    staff = ("--el-color-primary", ".el-button", "echarts", "ECharts", "vue-i18n", "desk.actions")
    for staff_only in staff:
        assert staff_only not in text, f"{staff_only} in the guest page's first load"


def _keys(lang: str) -> set[str]:
    node = shutil.which("node")
    assert node, "node is needed to build the web app (./run setup installs it)"
    out = subprocess.run(
        [node, "-e", KEYS, str(SRC / "locales" / f"{lang}.js")],
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout
    return set(json.loads(out))


def test_both_languages_have_every_key_the_page_names() -> None:
    zh, en = _keys("zh-CN"), _keys("en")
    assert zh == en
    named: set[str] = set()
    for path in [*SRC.rglob("*.vue"), *SRC.rglob("*.js")]:
        if "locales" in path.parts:
            continue
        text = path.read_text("utf-8")
        named |= set(re.findall(r"""\bt\(['"]([a-z_]+\.[A-Za-z0-9_.]+)['"]""", text))
    assert len(named) > 60, "found too few keys: the pattern is wrong"
    assert named - zh == set()


def test_the_page_never_renders_markup_from_data() -> None:
    """Nicknames, titles and notes are text: no v-html, innerHTML or insertAdjacentHTML."""
    for path in [*SRC.rglob("*.vue"), *SRC.rglob("*.js")]:
        text = path.read_text("utf-8")
        for sink in ("v-html", "innerHTML", "insertAdjacentHTML", "document.write"):
            assert sink not in text, f"{sink} in {path.name}"
