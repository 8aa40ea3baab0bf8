"""``ktv-index``: scan a library, search it, show charts and stats, build the demo library.

Errors print one line and exit with the error's code (ktv.errors); never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ktv.errors import InvalidArgument, KtvError
from media_index.catalog import Catalog
from media_index.guard import RootFacts, check_root
from media_index.model import Song
from media_index.ranking import classify

DEFAULT_DB = "catalog.sqlite"


def _song_json(song: Song) -> dict:
    d = asdict(song)
    d["vocal_mode"] = song.vocal_mode.value
    d["vocal_channel"] = song.vocal_channel.value if song.vocal_channel else None
    d["artists"] = list(song.artists)
    d["tags"] = list(song.tags)
    return d


def _songs_table(title: str, songs: Sequence[Song]) -> Table:
    table = Table(title=title)
    for col in ("#", "title", "singer", "language", "vocal", "lyrics", "length", "id"):
        table.add_column(col)
    for i, s in enumerate(songs, 1):
        vocal = s.vocal_mode.value
        if s.vocal_channel:
            vocal += f" ({s.vocal_channel.value})"
        lyrics = ("word" if s.lyrics_word_timed else "line") if s.lyrics_path else "-"
        length = f"{s.duration_ms // 60000}:{s.duration_ms // 1000 % 60:02d}"
        table.add_row(str(i), s.title, s.artist, s.language, vocal, lyrics, length, s.song_id)
    return table


def _open(db: str, readonly: bool = True) -> Catalog:
    if readonly and not Path(db).exists():
        raise InvalidArgument(f"no catalog at {db} (run: ktv-index scan LIBRARY --db {db})")
    return Catalog(db, readonly=readonly)


def _bar(verb: str, console: Console, quiet: bool) -> Progress:
    return Progress(
        TextColumn(f"[bold]{verb}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), TextColumn("{task.description}"),
        console=console, disable=quiet,
    )  # fmt: skip


def _run_analysis(cat: Catalog, args: argparse.Namespace, console: Console) -> None:
    from media_index.analysis import analyse

    started = time.monotonic()
    with _bar("analysing", console, args.quiet) as bar:
        task = bar.add_task("", total=None)

        def progress(done: int, total: int, path: str) -> None:
            bar.update(task, completed=done, total=total, description=Path(path).name[:40])

        report = analyse(
            cat,
            first=args.first or (),
            workers=args.analysis_workers,
            limit=args.limit,
            progress=progress,
            low_priority=not args.full_priority,
        )
    st = cat.stats()
    console.print(
        f"analysed {report.analysed} songs in {time.monotonic() - started:.1f} s "
        f"(loudness, channel split), {report.failed} failed, {report.skipped} changed since "
        f"the scan. Analysis {st.analysed} of {st.songs} songs ({st.analysed_share:.0%}), "
        f"{st.analysis_pending} pending. Catalog version {st.version}",
        soft_wrap=True,
    )


def cmd_scan(args: argparse.Namespace, console: Console) -> int:
    from media_index.scan import scan

    if not 0 <= args.max_removal_percent <= 100:
        raise InvalidArgument("--max-removal-percent must be 0-100")
    root = Path(args.library)
    if not root.is_dir():  # refused before a catalog file is created for it
        check_root(RootFacts(str(root), root.exists(), False, None, None))
    started = time.monotonic()
    with Catalog(args.db) as cat:
        with _bar("indexing", console, args.quiet) as bar:
            task = bar.add_task("", total=None)

            def progress(done: int, total: int, path: str) -> None:
                bar.update(task, completed=done, total=total, description=Path(path).name[:40])

            report = scan(
                args.library,
                cat,
                workers=args.workers,
                progress=progress,
                allow_removals=args.allow_removals,
                max_removal_share=args.max_removal_percent / 100,
                mount=args.mount,
                adopt=args.adopt,
            )
        elapsed = time.monotonic() - started
        console.print(
            f"[bold]{report.indexed}[/] songs indexed in {elapsed:.1f} s: {report.added} new, "
            f"{report.updated} updated, {report.moved} moved, {report.restored} back, "
            f"{report.unchanged} unchanged, {report.removed} removed, "
            f"{len(report.skipped)} skipped ({report.probed} probed). "
            f"Searchable now: catalog {args.db} version {cat.version}",
            soft_wrap=True,
        )
        for p in report.skipped:
            console.print(f"[red]skipped[/] {p.path}: {p.reason}", soft_wrap=True)
        for p in report.warnings:
            console.print(f"[yellow]warning[/] {p.path}: {p.reason}", soft_wrap=True)
        if not args.no_analyse:
            _run_analysis(cat, args, console)
    return 0


def cmd_analyse(args: argparse.Namespace, console: Console) -> int:
    if args.limit is not None and args.limit < 1:
        raise InvalidArgument("--limit must be at least 1")
    with _open(args.db, readonly=False) as cat:
        _run_analysis(cat, args, console)
    return 0


def cmd_search(args: argparse.Namespace, console: Console) -> int:
    with _open(args.db) as cat:
        page = cat.search(
            args.query,
            language=args.language,
            char_count=args.chars,
            artist=args.artist,
            has_lyrics=True if args.has_lyrics else None,
            vocal_mode=args.vocal_mode,
            limit=args.limit,
            offset=args.offset,
        )
    if args.json:
        out = {
            "total": page.total,
            "total_capped": page.total_capped,
            "songs": [_song_json(s) for s in page.songs],
        }
        print(json.dumps(out, ensure_ascii=False))
        return 0
    more = "+" if page.total_capped else ""
    kind = classify(args.query).value
    console.print(_songs_table(f"'{args.query}' ({kind}): {page.total}{more} songs", page.songs))
    return 0


def cmd_chart(args: argparse.Namespace, console: Console) -> int:
    days = None if args.days == 0 else args.days
    with _open(args.db) as cat:
        songs = cat.new_arrivals(args.limit) if args.new else cat.hot(days, args.limit)
    if args.json:
        print(json.dumps([_song_json(s) for s in songs], ensure_ascii=False))
        return 0
    title = "new arrivals" if args.new else f"hot, {'all time' if days is None else f'{days} days'}"
    console.print(_songs_table(title, songs))
    return 0


def cmd_stats(args: argparse.Namespace, console: Console) -> int:
    with _open(args.db) as cat:
        st = cat.stats()
    if args.json:
        print(json.dumps(asdict(st) | {"analysed_share": st.analysed_share}, ensure_ascii=False))
        return 0
    table = Table(title=f"catalog {args.db} (version {st.version})", show_header=False)
    table.add_row("songs", str(st.songs))
    table.add_row("singers", str(st.singers))
    table.add_row("with lyrics", str(st.with_lyrics))
    table.add_row("with video", str(st.with_video))
    table.add_row("plays recorded", str(st.plays))
    table.add_row(
        "analysed",
        f"{st.analysed} of {st.songs} ({st.analysed_share:.0%}), {st.analysis_pending} pending,"
        f" {st.analysis_failed} failed",
    )
    table.add_row("removed (kept, return with their plays)", str(st.removed))
    table.add_row("languages", ", ".join(f"{k or '?'} {v}" for k, v in st.by_language.items()))
    table.add_row("vocal modes", ", ".join(f"{k} {v}" for k, v in st.by_vocal_mode.items()))
    console.print(table)
    return 0


def cmd_singers(args: argparse.Namespace, console: Console) -> int:
    with _open(args.db) as cat:
        singers = cat.singers(args.initials, args.kind, limit=args.limit)
    table = Table(title=f"singers '{args.initials}'")
    for col in ("name", "type", "songs", "initials"):
        table.add_column(col)
    for s in singers:
        table.add_row(s.name, s.kind.value, str(s.song_count), s.initials)
    console.print(table)
    return 0


def cmd_publish(args: argparse.Namespace, console: Console) -> int:
    with _open(args.db, readonly=False) as cat:
        version = cat.publish(args.dest)
    console.print(f"published version {version} to {args.dest}")
    return 0


def cmd_demo_library(args: argparse.Namespace, console: Console) -> int:
    from media_index.demo_library import generate

    with Progress(
        TextColumn("[bold]generating"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), TextColumn("{task.description}"), console=console,
    ) as bar:  # fmt: skip
        task = bar.add_task("", total=None)
        paths = generate(
            args.dir,
            workers=args.workers,
            progress=lambda d, t, n: bar.update(task, completed=d, total=t, description=n),
        )
    console.print(f"{len(paths)} songs written to {args.dir}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ktv-index", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)

    def with_db(sp: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sp.add_argument("--db", default=DEFAULT_DB, help="catalog file (default: %(default)s)")
        return sp

    def with_analysis(sp: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sp.add_argument("--analysis-workers", type=int, default=1, help="decodes at once")
        sp.add_argument(
            "--first", nargs="*", metavar="SONG_ID", help="analyse these songs before the rest"
        )
        sp.add_argument("--full-priority", action="store_true", help="do not nice the decodes")
        sp.add_argument("--quiet", action="store_true", help="no progress bar")
        return sp

    sp = with_analysis(with_db(sub.add_parser("scan", help="scan a song library into the catalog")))
    sp.add_argument("library")
    sp.add_argument("--workers", type=int, default=2, help="probe jobs at once")
    sp.add_argument(
        "--allow-removals", action="store_true", help="remove songs even beyond the share below"
    )
    sp.add_argument(
        "--max-removal-percent", type=float, default=10.0,
        help="refuse a scan that would remove more of the catalog (default: %(default)s)",
    )  # fmt: skip
    sp.add_argument(
        "--mount", help="the library must be on this mount point (remembered by the catalog)"
    )
    sp.add_argument(
        "--adopt", action="store_true", help="this folder is the catalog's library: (re)mark it"
    )
    sp.add_argument(
        "--no-analyse", action="store_true", help="first pass only (ktv-index analyse later)"
    )
    sp.set_defaults(run=cmd_scan, limit=None)

    sp = with_analysis(
        with_db(sub.add_parser("analyse", help="loudness and channel-split analysis, resumable"))
    )
    sp.add_argument("--limit", type=int, help="stop after this many songs")
    sp.set_defaults(run=cmd_analyse)

    sp = with_db(sub.add_parser("search", help="search like the room's query box"))
    sp.add_argument("query", nargs="?", default="")
    sp.add_argument("--language")
    sp.add_argument("--chars", type=int, help="字数: characters in the title")
    sp.add_argument("--artist")
    sp.add_argument("--has-lyrics", action="store_true")
    sp.add_argument("--vocal-mode", choices=["none", "tracks", "channels"])
    sp.add_argument("--limit", type=int, default=20)
    sp.add_argument("--offset", type=int, default=0)
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(run=cmd_search)

    sp = with_db(sub.add_parser("chart", help="hot chart (or --new arrivals)"))
    sp.add_argument("--days", type=int, default=7, help="window in days, 0 = all time")
    sp.add_argument("--new", action="store_true", help="new arrivals instead")
    sp.add_argument("--limit", type=int, default=20)
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(run=cmd_chart)

    sp = with_db(sub.add_parser("stats", help="what the catalog holds"))
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(run=cmd_stats)

    sp = with_db(sub.add_parser("singers", help="singer browse by initials and type"))
    sp.add_argument("initials", nargs="?", default="")
    sp.add_argument("--kind", choices=["male", "female", "group", "band", "unknown"])
    sp.add_argument("--limit", type=int, default=50)
    sp.set_defaults(run=cmd_singers)

    sp = with_db(sub.add_parser("publish", help="write a catalog version atomically"))
    sp.add_argument("dest")
    sp.set_defaults(run=cmd_publish)

    sp = sub.add_parser("demo-library", help="generate the demo song library")
    sp.add_argument("dir")
    sp.add_argument("--workers", type=int, default=2)
    sp.set_defaults(run=cmd_demo_library)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    console = Console(stderr=False)
    err = Console(stderr=True)
    try:
        return args.run(args, console)
    except KtvError as e:
        err.print(f"ktv-index: {e.message}", soft_wrap=True, markup=False)
        return e.exit_code
    except KeyboardInterrupt:
        err.print("ktv-index: interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
