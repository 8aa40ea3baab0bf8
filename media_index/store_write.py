"""SQLite adapter, write side: songs with their keys and singers, removals, play events.

Every public method is one transaction: a batch lands whole or not at all.
"""

from __future__ import annotations

import functools
import itertools
import json
import secrets
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from media_index import settings
from media_index.records import Analysis, ArtistKind, CatalogEntry, FileStamp
from media_index.search_keys import (
    IndexedText,
    fold,
    indexed_text,
    primary_initials,
    readings,
    song_keys,
)

_to_json = json.JSONEncoder(ensure_ascii=False).encode


@functools.lru_cache(maxsize=8192)
def _json_list(values: tuple[str, ...]) -> str:
    """A JSON array of strings; singers, tags and track titles repeat across songs."""
    return _to_json(list(values))


def _chunks(values: Sequence, size: int = 500) -> Iterable[list]:
    for i in range(0, len(values), size):
        yield list(values[i : i + size])


@dataclass(frozen=True)
class KnownFile:
    song_id: str
    stamp: FileStamp


@dataclass(frozen=True)
class Tombstone:
    """A song whose file went away: it comes back with this identity when the file does."""

    song_id: str
    path: str
    stamp: FileStamp


@dataclass(frozen=True)
class PendingSong:
    """A song waiting for analysis, with what the analyser needs to measure it."""

    song_id: str
    path: str
    stamp: FileStamp
    probe_facts: str
    vocal_mode: str
    accompaniment_track: int | None


class CatalogWriter:
    def __init__(self, conn: sqlite3.Connection, *, phrase_aware: bool = False) -> None:
        self.conn = conn
        self.phrase_aware = phrase_aware

    @contextmanager
    def transaction(self):
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._bump_version()
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    def _bump_version(self) -> None:
        version = f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{secrets.token_hex(3)}"
        self.conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('version', ?)", (version,)
        )

    def ensure_version(self, *, pinyin_phrases: bool = False) -> None:
        """A new catalog gets its first version and its (fixed) pinyin reading mode."""
        if not self.conn.execute("SELECT 1 FROM meta WHERE key = 'version'").fetchone():
            with self.transaction():
                self.conn.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('pinyin_phrases', ?)",
                    ("1" if pinyin_phrases else "0",),
                )

    # ---- scanner's view ----------------------------------------------------------------------
    def known_files(self) -> dict[str, KnownFile]:
        rows = self.conn.execute("SELECT path, song_id, size, mtime_ns, meta_stamp FROM song")
        return {r[0]: KnownFile(r[1], FileStamp(r[2], r[3], r[4])) for r in rows}

    def rejected_files(self) -> dict[str, tuple[FileStamp, str]]:
        rows = self.conn.execute("SELECT path, size, mtime_ns, reason FROM rejected_file")
        return {r[0]: (FileStamp(r[1], r[2]), r[3]) for r in rows}

    def set_rejected(self, rejected: dict[str, tuple[FileStamp, str]]) -> None:
        """Replace the list of files the last scan could not index."""
        if rejected == self.rejected_files():
            return
        with self.transaction():
            self.conn.execute("DELETE FROM rejected_file")
            self.conn.executemany(
                "INSERT INTO rejected_file (path, size, mtime_ns, reason) VALUES (?, ?, ?, ?)",
                [(p, st.size, st.mtime_ns, why) for p, (st, why) in rejected.items()],
            )

    def stored_facts(self, song_id: str) -> str | None:
        """Probe facts of a song, or of a tombstone (a song whose file went away)."""
        row = self.conn.execute(
            "SELECT probe_facts FROM song WHERE song_id = ? UNION ALL "
            "SELECT probe_facts FROM song_tombstone WHERE song_id = ? LIMIT 1",
            (song_id, song_id),
        ).fetchone()
        return row[0] if row and row[0] else None

    def tombstones(self) -> list[Tombstone]:
        """Songs whose files went away: their identity, last path and stamp."""
        rows = self.conn.execute("SELECT song_id, path, size, mtime_ns FROM song_tombstone")
        return [Tombstone(r[0], r[1], FileStamp(r[2], r[3])) for r in rows]

    def set_meta(self, values: dict[str, str]) -> None:
        with self.transaction():
            self.conn.executemany(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", list(values.items())
            )

    # ---- analysis ----------------------------------------------------------------------------
    def pending_analysis(
        self, limit: int, *, first: Sequence[str] = (), hot_since_ms: int = 0
    ) -> list[PendingSong]:
        """Songs to analyse next: ``first`` (queued in a room), then the most sung since
        ``hot_since_ms``, then the most popular of all time, then catalog order. Two short
        lookups and one index walk: ~ms at 100k pending songs, not a sort of all of them."""
        columns = (
            "song_id, path, size, mtime_ns, meta_stamp, probe_facts, vocal_mode, "
            "accompaniment_track"
        )
        hot = [
            r[0]
            for r in self.conn.execute(
                "SELECT song_id FROM play WHERE counted = 1 AND played_at_ms >= ? "
                "GROUP BY song_id ORDER BY count(*) DESC, song_id LIMIT ?",
                (hot_since_ms, settings.analysis_hot_songs),
            )
        ]
        wanted = list(dict.fromkeys([*first, *hot]))
        rows = {
            r[0]: r
            for r in self._select_in(
                f"SELECT {columns} FROM song WHERE analysis = 'pending' AND song_id IN ({{}})",
                wanted,
            )
        }
        chosen = [rows[i] for i in wanted if i in rows][:limit]
        if len(chosen) < limit:
            taken = {r[0] for r in chosen}
            rest = self.conn.execute(
                f"SELECT {columns} FROM song WHERE analysis = 'pending' "
                "ORDER BY popularity DESC, id LIMIT ?",
                (limit + len(taken),),
            ).fetchall()
            chosen += [r for r in rest if r[0] not in taken][: limit - len(chosen)]
        return [
            PendingSong(r[0], r[1], FileStamp(r[2], r[3], r[4]), r[5], r[6], r[7]) for r in chosen
        ]

    def set_analysis(self, song_ids: Sequence[str], state: Analysis) -> None:
        with self.transaction():
            self.conn.executemany(
                "UPDATE song SET analysis = ? WHERE song_id = ?",
                [(state.value, i) for i in song_ids],
            )

    # ---- songs -------------------------------------------------------------------------------
    def put_entries(
        self,
        entries: Sequence[CatalogEntry],
        *,
        now_s: int | None = None,
        prepared: Sequence[IndexedText] | None = None,
        staged_keys: bool = False,
        if_unchanged: bool = False,
    ) -> None:
        """Add or replace songs (by song_id) with their keys and singers: one transaction,
        set-at-a-time statements (bulk imports of 100k+ songs go through here).
        ``prepared``: the entries' ``indexed_text``, already computed (parallel to entries).
        ``staged_keys``: their keys are not in ``prepared`` but in the attached database
        ``staged``, table ``key_row (entry, key, tier)``, ``entry`` indexing ``entries``.
        ``if_unchanged``: only replace songs still in the catalog at the entry's path, size
        and mtime (analysis results: a scan in another process may have removed or changed
        the song meanwhile; checked inside the transaction)."""
        now_s = int(time.time()) if now_s is None else now_s
        if prepared is None:
            prepared = [
                indexed_text(e.song.title, e.song.artists, self.phrase_aware) for e in entries
            ]
        by_id = {
            e.song.song_id: (i, e, t)
            for i, (e, t) in enumerate(zip(entries, prepared, strict=True))
        }
        batch = [e for _, e, _ in by_id.values()]  # the last entry of a song_id wins
        if not batch:
            return
        ids = [e.song.song_id for e in batch]
        with self.transaction():
            if if_unchanged:
                current = {
                    r[0]: tuple(r[1:])
                    for r in self._select_in(
                        "SELECT song_id, path, size, mtime_ns FROM song WHERE song_id IN ({})",
                        ids,
                    )
                }
                by_id = {
                    i: v
                    for i, v in by_id.items()
                    if current.get(i) == (v[1].song.path, v[1].stamp.size, v[1].stamp.mtime_ns)
                }
                batch = [e for _, e, _ in by_id.values()]
                ids = [e.song.song_id for e in batch]
            touched: Counter[int] = Counter()  # singer id -> change in song count
            for clash in self._select_in(
                "SELECT song_id, path FROM song WHERE path IN ({})", [e.song.path for e in batch]
            ):
                if clash[0] not in ids:  # the file at this path now holds other content
                    touched.subtract(self._remove(clash[0]))
            old = {
                r[1]: r
                for r in self._select_in(
                    "SELECT id, song_id, title, artists, popularity, added_at FROM song "
                    "WHERE song_id IN ({})",
                    ids,
                )
            }
            # songs coming back: first seen when they were first seen, not now
            returning = dict(
                self._select_in(
                    "SELECT song_id, added_at FROM song_tombstone WHERE song_id IN ({})", ids
                )
            )
            if returning:
                self.conn.executemany(
                    "DELETE FROM song_tombstone WHERE song_id = ?", [(i,) for i in returning]
                )
            for r in old.values():
                touched.subtract(self._drop_keys(r[0], r[2], json.loads(r[3]), r[4]))
            self._drop_text([r[0] for r in old.values()])
            self.conn.executemany("DELETE FROM song WHERE id = ?", [(r[0],) for r in old.values()])
            plays = dict(
                self._select_in(
                    "SELECT song_id, count(*) FROM play WHERE counted = 1 AND song_id IN ({}) "
                    "GROUP BY song_id",
                    ids,
                )
            )
            next_id = self.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM song").fetchone()[0]
            song_rows, key_rows, artist_rows, word_rows, song_map = [], [], [], [], []
            repeat = itertools.repeat
            singer_ids = self._singers_for(batch)
            for index, entry, text in by_id.values():
                song = entry.song
                prev = old.get(song.song_id)
                if prev:
                    rowid, added_at = prev[0], prev[5]
                else:
                    rowid, next_id = next_id, next_id + 1
                    added_at = returning.get(song.song_id, now_s)
                popularity = entry.base_popularity + plays.get(song.song_id, 0)
                song_rows.append(self._song_row(rowid, entry, text, popularity, added_at))
                if text.title_words or text.artist_words:
                    word_rows.append((rowid, text.title_words, text.artist_words))
                rows = zip(text.keys, text.tiers, repeat(popularity), repeat(rowid), strict=False)
                key_rows.append(rows)
                song_map.append((index, popularity, rowid))
                for position, name in enumerate(dict.fromkeys(song.artists)):
                    artist_rows.append((rowid, singer_ids[name], position))
                    touched[singer_ids[name]] += 1
            self.conn.executemany(
                "INSERT INTO song (id, song_id, path, title, artists, language, genre, "
                "duration_ms, has_video, video_codec, audio_tracks, vocal_mode, vocal_track, "
                "accompaniment_track, vocal_channel, loudness_lufs, lyrics_path, "
                "lyrics_word_timed, has_lyrics, tags, char_count, title_folded, artists_folded, "
                "size, mtime_ns, meta_stamp, probe_facts, popularity, added_at, graphics_path, "
                "analysis) VALUES (" + ",".join("?" * 31) + ")",
                song_rows,
            )
            self._index_text([r[0] for r in song_rows], word_rows)
            if staged_keys:
                self._insert_staged_keys(song_map)
            else:
                self._insert_keys(itertools.chain.from_iterable(key_rows))
            self.conn.executemany(
                "INSERT OR IGNORE INTO song_artist (song, singer, position) VALUES (?, ?, ?)",
                artist_rows,
            )
            self._recount_singers(touched)

    def _insert_keys(self, rows: Iterable[tuple]) -> None:
        """Key rows through an unindexed staging table, then into the key B-tree in key order
        (SQLite's sorter in C: appends and page locality instead of random inserts)."""
        conn = self.conn
        conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS key_stage "
            "(key TEXT NOT NULL, tier INTEGER NOT NULL, pop INTEGER NOT NULL, "
            "song INTEGER NOT NULL)"
        )
        conn.executemany("INSERT INTO key_stage VALUES (?, ?, ?, ?)", rows)
        conn.execute(
            "INSERT OR IGNORE INTO song_key (key, tier, pop, song) SELECT key, tier, pop, song "
            "FROM key_stage ORDER BY key, tier DESC, pop DESC, song"
        )
        conn.execute("DELETE FROM key_stage")

    def _insert_staged_keys(self, song_map: list[tuple[int, int, int]]) -> None:
        """Key rows a worker process wrote to the attached ``staged`` database, joined to the
        rows and popularity given to their entries here, into the key B-tree in key order."""
        conn = self.conn
        conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS song_map "
            "(entry INTEGER PRIMARY KEY, pop INTEGER NOT NULL, song INTEGER NOT NULL)"
        )
        conn.executemany("INSERT INTO song_map VALUES (?, ?, ?)", song_map)
        conn.execute(
            "INSERT OR IGNORE INTO song_key (key, tier, pop, song) "
            "SELECT k.key, k.tier, m.pop, m.song FROM staged.key_row k "
            "JOIN temp.song_map m ON m.entry = k.entry ORDER BY 1, 2 DESC, 3 DESC, 4"
        )
        conn.execute("DELETE FROM song_map")

    def _index_text(self, rowids: Sequence[int], word_rows: Sequence[tuple]) -> None:
        """Substring (trigram) and word index rows of freshly inserted songs, one statement
        each: FTS5 flushes per statement, so a row at a time would cost ~70 us per song."""
        for part in _chunks(rowids):
            self.conn.execute(
                "INSERT INTO song_fts (rowid, title_folded, artists_folded) "
                "SELECT id, title_folded, artists_folded FROM song "
                f"WHERE id IN ({','.join('?' * len(part))}) ORDER BY id",
                part,
            )
        self.conn.executemany(
            "INSERT INTO song_words (rowid, title_words, artist_words) VALUES (?, ?, ?)",
            word_rows,
        )

    def _drop_text(self, rowids: Sequence[int]) -> None:
        """Take songs out of the substring and word indexes (before their rows go)."""
        for part in _chunks(rowids):
            marks = ",".join("?" * len(part))
            self.conn.execute(
                "INSERT INTO song_fts (song_fts, rowid, title_folded, artists_folded) "
                "SELECT 'delete', id, title_folded, artists_folded FROM song "
                f"WHERE id IN ({marks})",
                part,
            )
            self.conn.execute(f"DELETE FROM song_words WHERE rowid IN ({marks})", part)

    @staticmethod
    def _song_row(
        rowid: int, entry: CatalogEntry, text: IndexedText, popularity: int, added_at: int
    ) -> tuple:
        song = entry.song
        return (
            rowid, song.song_id, song.path, song.title,
            _json_list(tuple(song.artists)), song.language, song.genre,
            song.duration_ms, int(song.has_video), entry.video_codec,
            _json_list(tuple(entry.audio_track_titles)),
            song.vocal_mode.value, song.vocal_track, song.accompaniment_track,
            song.vocal_channel.value if song.vocal_channel else None, song.loudness_lufs,
            song.lyrics_path, int(song.lyrics_word_timed), int(song.lyrics_path is not None),
            _json_list(tuple(song.tags)), text.char_count,
            text.title, text.artists, entry.stamp.size, entry.stamp.mtime_ns,
            entry.stamp.meta_stamp, entry.probe_facts_json, popularity, added_at,
            song.graphics_path, entry.analysis.value,
        )  # fmt: skip

    def _select_in(self, sql: str, values: Sequence, chunk: int = 500) -> list[tuple]:
        out: list[tuple] = []
        for i in range(0, len(values), chunk):
            part = list(values[i : i + chunk])
            out += self.conn.execute(sql.format(",".join("?" * len(part))), part).fetchall()
        return out

    def _singers_for(self, batch: Sequence[CatalogEntry]) -> dict[str, int]:
        """Singer ids for every artist in the batch, creating new singers and updating types."""
        kinds: dict[str, ArtistKind | None] = {}
        for entry in batch:
            for pos, name in enumerate(entry.song.artists):
                kind = entry.artist_kinds[pos] if pos < len(entry.artist_kinds) else None
                if kinds.get(name) is None:
                    kinds[name] = kind
        found = {
            r[0]: (r[1], r[2])
            for r in self._select_in(
                "SELECT name, id, kind FROM singer WHERE name IN ({})", list(kinds)
            )
        }
        ids: dict[str, int] = {}
        for name, kind in kinds.items():
            if name in found:
                ids[name], current = found[name]
                if kind is not None and kind is not ArtistKind.UNKNOWN and current != kind.value:
                    self.conn.execute(
                        "UPDATE singer SET kind = ? WHERE id = ?", (kind.value, ids[name])
                    )
            else:
                ids[name] = self._new_singer(name, kind)
        return ids

    def _keys(self, title: str, artists: Sequence[str]):
        return song_keys(title, artists, phrase_aware=self.phrase_aware).items()

    def _add_keys(self, rowid: int, title: str, artists: Sequence[str], pop: int) -> None:
        self.conn.executemany(
            "INSERT OR IGNORE INTO song_key (key, tier, pop, song) VALUES (?, ?, ?, ?)",
            [(k, int(t), pop, rowid) for k, t in self._keys(title, artists)],
        )

    def _drop_keys(self, rowid: int, title: str, artists: Sequence[str], pop: int) -> list[int]:
        """Remove a song's keys and singer links; returns the singers it was linked to."""
        self.conn.executemany(
            "DELETE FROM song_key WHERE key = ? AND tier = ? AND pop = ? AND song = ?",
            [(k, int(t), pop, rowid) for k, t in self._keys(title, artists)],
        )
        singers = [
            r[0]
            for r in self.conn.execute("SELECT singer FROM song_artist WHERE song = ?", (rowid,))
        ]
        self.conn.execute("DELETE FROM song_artist WHERE song = ?", (rowid,))
        return singers

    def _new_singer(self, name: str, kind: ArtistKind | None) -> int:
        initials = primary_initials(name)
        cur = self.conn.execute(
            "INSERT INTO singer (name, folded, kind, initials) VALUES (?, ?, ?, ?)",
            (name, fold(name), (kind or ArtistKind.UNKNOWN).value, initials),
        )
        all_initials = {initials} | {"".join(s[0] for s in r) for r in readings(name)}
        self.conn.executemany(
            "INSERT OR IGNORE INTO singer_initials (initials, singer) VALUES (?, ?)",
            [(i, cur.lastrowid) for i in all_initials if i],
        )
        return cur.lastrowid

    def _recount_singers(self, delta: Counter[int]) -> None:
        self.conn.executemany(
            "UPDATE singer SET song_count = song_count + ? WHERE id = ?",
            [(n, singer) for singer, n in delta.items() if n],
        )

    def remove_songs(self, song_ids: Iterable[str]) -> int:
        touched: Counter[int] = Counter()
        removed = 0
        with self.transaction():
            for song_id in song_ids:
                gone = self._remove(song_id)
                removed += 1
                touched.subtract(gone)
            self._recount_singers(touched)
        return removed

    def _remove(self, song_id: str, now_s: int | None = None) -> list[int]:
        """Take a song out of the catalog, leaving its tombstone (identity, probe facts,
        first-seen time: a file that comes back is the same song, with its plays)."""
        old = self.conn.execute(
            "SELECT id, title, artists, popularity FROM song WHERE song_id = ?", (song_id,)
        ).fetchone()
        if not old:
            return []
        self.conn.execute(
            "INSERT OR REPLACE INTO song_tombstone (song_id, path, title, artists, size, "
            "mtime_ns, probe_facts, added_at, removed_at) SELECT song_id, path, title, artists, "
            "size, mtime_ns, probe_facts, added_at, ? FROM song WHERE id = ?",
            (int(time.time()) if now_s is None else now_s, old[0]),
        )
        touched = self._drop_keys(old[0], old[1], json.loads(old[2]), old[3])
        self._drop_text([old[0]])
        self.conn.execute("DELETE FROM song WHERE id = ?", (old[0],))
        return touched

    # ---- plays -------------------------------------------------------------------------------
    def record_play(
        self, *, event_id: str | None, song_id: str, room: str, session: str,
        played_at_ms: int, outcome: str, played_ms: int, counted: bool,
    ) -> bool:  # fmt: skip
        """Store one play; False if ``event_id`` was already recorded (a retried event)."""
        with self.transaction():
            cur = self.conn.execute(
                "INSERT OR IGNORE INTO play (event_id, song_id, room, session, played_at_ms, "
                "outcome, played_ms, counted) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (event_id, song_id, room, session, played_at_ms, outcome, played_ms, int(counted)),
            )
            if cur.rowcount == 0:
                return False
            if counted:
                self._bump_popularity(song_id)
        return True

    def _bump_popularity(self, song_id: str) -> None:
        row = self.conn.execute(
            "SELECT id, title, artists, popularity FROM song WHERE song_id = ?", (song_id,)
        ).fetchone()
        if not row:
            return
        rowid, title, artists_json, pop = row
        artists = json.loads(artists_json)
        self.conn.executemany(
            "DELETE FROM song_key WHERE key = ? AND tier = ? AND pop = ? AND song = ?",
            [(k, int(t), pop, rowid) for k, t in self._keys(title, artists)],
        )
        self.conn.execute("UPDATE song SET popularity = ? WHERE id = ?", (pop + 1, rowid))
        self._add_keys(rowid, title, artists, pop + 1)
