"""Memory of a room agent's search: a process that opens a catalog read-only and runs 100
searches of every query form. "eager" first imports pypinyin and OpenCC the way
media_index did before they were loaded lazily; "lazy" is media_index as it is now.

    .venv/bin/python benchmarks/agent_rss.py                       # the cached 1M catalog
    .venv/bin/python benchmarks/agent_rss.py --catalog path.sqlite --songs 1000000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_songs import cached_catalog

QUERIES = ["zjl", "dx", "kemi", "chazhong", "爱", "香", "月亮代", "周杰倫", "love", "hope red",
           "sweet ho", "eart", "the", "ab", "xing", "重来"]  # fmt: skip

CHILD = """
import json, resource, sys, time
if sys.argv[2] == "eager":  # what `import media_index` used to load
    import opencc, pypinyin
    opencc.OpenCC("t2s"); pypinyin.pinyin("重", heteronym=True)
def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
start = rss_mb()
import media_index
cat = media_index.Catalog(sys.argv[1], readonly=True)
queries = json.loads(sys.argv[3])
t0 = time.perf_counter()
for i in range(100):
    cat.search(queries[i % len(queries)], limit=20)
took = time.perf_counter() - t0
print(json.dumps({"start": start, "end": rss_mb(),
                  "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "ms_per_search": took * 10,
                  "pypinyin": "pypinyin" in sys.modules, "opencc": "opencc" in sys.modules}))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--catalog", type=Path, default=None)
    ap.add_argument("--songs", type=int, default=1_000_000, help="cached synthetic catalog size")
    args = ap.parse_args()
    path = args.catalog or cached_catalog(args.songs).path
    print("\n| agent process, 100 searches | RSS at end MB | peak RSS MB | pypinyin loaded |"
          " ms/search |\n|---|---:|---:|---|---:|")  # fmt: skip
    for mode in ("eager", "lazy"):
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), mode, json.dumps(QUERIES, ensure_ascii=False)],
            capture_output=True, text=True, check=True, timeout=600,
        )  # fmt: skip
        r = json.loads(out.stdout)
        label = "before (pypinyin + OpenCC at import)" if mode == "eager" else "now (lazy)"
        print(f"| {label} | {r['end']:.0f} | {r['peak']:.0f} | {'yes' if r['pypinyin'] else 'no'}"
              f" | {r['ms_per_search']:.2f} |")  # fmt: skip
    print(f"({path})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
