"""What one more font size costs the touchscreen: the collection's SC face vs the saved one.

    .venv/bin/python benchmarks/font_faces.py [--runs 3]

Kivy opens one FreeType face per (font, size, bold) it draws; the touchscreen's type scale
uses eight. Each run opens the face at eight sizes in a fresh process with a real (offscreen)
Kivy window and reads VmRSS before and after each label is drawn. Two fonts: the SC face of
``NotoSansCJK-Regular.ttc`` saved as it is (what the agent registered before), and the face
``room_agent.ui.fonts`` saves now (no subroutines, the SC face's own glyphs). Both are cached
under $TMPDIR/ktv-font-faces/ (the first run saves them, ~20 s).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CACHE = Path(tempfile.gettempdir()) / "ktv-font-faces"
SIZES = (14, 17, 20, 24, 38, 54, 30, 22)  # eight sizes, as many faces as the app opens
TEXT = "周杰伦 七里香 Jay Chou 1"


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(path: str) -> None:
    from kivy.core.text import Label as CoreLabel
    from kivy.core.window import Window

    _ = Window  # the text provider needs SDL up
    costs = []
    for size in SIZES:
        before = _rss_mb()
        label = CoreLabel(text=TEXT, font_name=path, font_size=size)
        label.refresh()
        costs.append(_rss_mb() - before)
    print(json.dumps(costs))


def _fonts() -> dict[str, Path]:
    from fontTools.ttLib import TTCollection

    from room_agent.ui import fonts

    CACHE.mkdir(parents=True, exist_ok=True)
    collection = fonts._collection("Regular")
    if collection is None:
        raise SystemExit("no Noto Sans CJK collection: install fonts-noto-cjk")
    as_is = CACHE / "collection-sc-face.otf"
    if not as_is.exists():
        print("saving the collection's SC face as it is ...", flush=True)
        TTCollection(str(collection)).fonts[2].save(str(as_is))
    saved = fonts.font_file(CACHE, "Regular")
    if not saved.exists():
        print("saving the face room_agent.ui.fonts makes (~15 s) ...", flush=True)
        fonts._save_in_child(collection, saved)
    return {"collection's SC face as it is": as_is, "saved by room_agent.ui.fonts": saved}


def _describe(path: Path) -> tuple[int, int]:
    from fontTools.ttLib import TTFont

    font = TTFont(str(path), lazy=True)
    return font["maxp"].numGlyphs, len(font["CFF "].cff.GlobalSubrs)


def _run(path: Path) -> list[float]:
    env = dict(os.environ)
    home = CACHE / "kivy-home"
    home.mkdir(parents=True, exist_ok=True)
    env.update(
        KIVY_NO_ARGS="1",
        KIVY_NO_FILELOG="1",
        KIVY_NO_CONSOLELOG="1",
        KIVY_HOME=str(home),
        SDL_VIDEODRIVER="offscreen",
    )
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(path)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    rows = []
    for name, path in _fonts().items():
        glyphs, subrs = _describe(path)
        runs = [_run(path) for _ in range(args.runs)]
        first = statistics.median(run[0] for run in runs)
        more = statistics.median(cost for run in runs for cost in run[1:])
        total = statistics.median(sum(run) for run in runs)
        rows.append((name, path.stat().st_size / 1e6, glyphs, subrs, first, more, total))
    print(f"\n{args.runs} runs, {len(SIZES)} sizes each; RSS in MB, medians")
    header = ("font", "file MB", "glyphs", "global subrs", "1st size", "each more", "8 sizes")
    print(f"| {' | '.join(header)} |")
    print("|" + "---|" * len(header))
    for name, size, glyphs, subrs, first, more, total in rows:
        print(
            f"| {name} | {size:.1f} | {glyphs} | {subrs} | {first:.1f} | {more:.2f} | {total:.1f} |"
        )
    if len(rows) == 2:
        print(f"\neight sizes cost {rows[0][6] / rows[1][6]:.1f}x less RSS with the saved face")


if __name__ == "__main__":
    main()
