"""The guest's phone page as shipped (``controller/web/ui/dist/guest.html`` and what it loads):
the files of its first load and their gzipped size, for tests/guest and
benchmarks/guest_phone.py."""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from pathlib import Path

from tests.support.controller import REPO_ROOT

DIST = REPO_ROOT / "controller" / "web" / "ui" / "dist"
FIRST_LOAD_BUDGET_GZ = 150 * 1024  # bytes, JS + CSS + HTML (issue 25)

# <script src>, <link href> of the page; static imports between Vite's chunks
_HTML_REFS = re.compile(r'(?:src|href)="/assets/([^"]+)"')
_JS_IMPORTS = re.compile(r'(?:from\s*|import\s*)["\']\./([^"\']+\.js)["\']')


@dataclass(frozen=True)
class LoadedFile:
    name: str  # "guest.html", "assets/guest-abc.js"
    raw: int  # bytes
    gz: int  # bytes gzipped (level 6, what the controller serves)
    text: str


def first_load(dist: Path = DIST) -> list[LoadedFile]:
    """guest.html and every file it loads before the page can run (its scripts, styles and
    their static imports, transitively; not the favicon)."""
    page = dist / "guest.html"
    assert page.is_file(), f"{page} is missing: build the web app (./run web)"
    html = page.read_text(encoding="utf-8")
    files = [_loaded("guest.html", html.encode())]
    todo = list(dict.fromkeys(_HTML_REFS.findall(html)))
    seen = set(todo)
    while todo:
        name = todo.pop(0)
        body = (dist / "assets" / name).read_bytes()
        files.append(_loaded(f"assets/{name}", body))
        if name.endswith(".js"):
            for imported in _JS_IMPORTS.findall(body.decode("utf-8")):
                if imported not in seen:
                    seen.add(imported)
                    todo.append(imported)
    return files


def _loaded(name: str, body: bytes) -> LoadedFile:
    return LoadedFile(
        name,
        len(body),
        len(gzip.compress(body, compresslevel=6, mtime=0)),
        body.decode("utf-8", errors="replace"),
    )
