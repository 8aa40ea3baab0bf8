"""A room agent's searches must not load the pinyin dictionaries (~55 MB of memory on a Pi):
queries are folded with OpenCC only, keys were computed when the catalog was built."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from media_index import Catalog

from .conftest import entry

AGENT = """
import json, sys
import media_index
after_import = sorted(m for m in ("pypinyin", "opencc") if m in sys.modules)
cat = media_index.Catalog(sys.argv[1], readonly=True)
found = {q: [s.title for s in cat.search(q).songs] for q in sys.argv[2:]}
cat.singers("zj")
print(json.dumps({"after_import": after_import, "found": found,
                  "loaded": sorted(m for m in ("pypinyin", "opencc") if m in sys.modules)}))
"""


def test_searching_on_an_agent_never_loads_pypinyin(tmp_path: Path) -> None:
    db = tmp_path / "catalog.sqlite"
    with Catalog(db) as cat:
        cat.put_entries([entry("a", "稻香", "周杰伦"), entry("b", "重来", "群星"),
                         entry("c", "Let It Be", "The Beatles")])  # fmt: skip
    queries = ["dx", "zhonglai", "周杰倫", "稻", "let it", "beatles", "eatl"]
    out = subprocess.run(
        [sys.executable, "-c", AGENT, str(db), *queries],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    got = json.loads(out.stdout)
    assert got["after_import"] == []
    assert got["loaded"] == ["opencc"]  # folding 周杰倫 -> 周杰伦 needs it; pinyin never
    assert got["found"] == {"dx": ["稻香"], "zhonglai": ["重来"], "周杰倫": ["稻香"],
                            "稻": ["稻香"], "let it": ["Let It Be"], "beatles": ["Let It Be"],
                            "eatl": ["Let It Be"]}  # fmt: skip
