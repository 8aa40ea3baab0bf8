"""SQLite adapter of the catalog: rows <-> records, the search plan's lookups, charts' SQL."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice

from media_index import settings
from media_index.model import Channel, Song, VocalMode
from media_index.ranking import Candidate, range_tier, successor
from media_index.records import ArtistKind, Singer
from media_index.search_keys import MatchTier
from media_index.singer_region import foreign_singers_sql

TIERS = tuple(sorted(MatchTier))  # stored int -> MatchTier without an Enum call per row

SONG_COLUMNS = (
    "id, song_id, path, title, artists, language, genre, duration_ms, has_video, vocal_mode, "
    "vocal_track, accompaniment_track, vocal_channel, loudness_lufs, lyrics_path, "
    "lyrics_word_timed, tags, graphics_path"
)


def song_from_row(row: Sequence) -> Song:
    return Song(
        song_id=row[1],
        path=row[2],
        title=row[3],
        artists=tuple(json.loads(row[4])),
        language=row[5],
        genre=row[6],
        duration_ms=row[7],
        has_video=bool(row[8]),
        vocal_mode=VocalMode(row[9]),
        vocal_track=row[10],
        accompaniment_track=row[11],
        vocal_channel=Channel(row[12]) if row[12] else None,
        loudness_lufs=row[13],
        lyrics_path=row[14],
        lyrics_word_timed=bool(row[15]),
        tags=tuple(json.loads(row[16])),
        graphics_path=row[17],
    )


@dataclass(frozen=True)
class SongFilter:
    """Search filters, already validated."""

    language: str | None = None
    char_count: int | None = None
    artist: str | None = None  # folded singer name
    has_lyrics: bool | None = None
    vocal_mode: VocalMode | None = None

    def sql(self, alias: str = "s") -> tuple[str, list]:
        clauses: list[str] = []
        params: list = []
        if self.language is not None:
            clauses.append(f"{alias}.language = ?")
            params.append(self.language)
        if self.char_count is not None:
            clauses.append(f"{alias}.char_count = ?")
            params.append(self.char_count)
        if self.has_lyrics is not None:
            clauses.append(f"{alias}.has_lyrics = ?")
            params.append(int(self.has_lyrics))
        if self.vocal_mode is not None:
            clauses.append(f"{alias}.vocal_mode = ?")
            params.append(self.vocal_mode.value)
        if self.artist is not None:
            clauses.append(
                f"{alias}.id IN (SELECT sa.song FROM song_artist sa JOIN singer g "
                "ON g.id = sa.singer WHERE g.folded = ?)"
            )
            params.append(self.artist)
        return " AND ".join(clauses), params

    @property
    def active(self) -> bool:
        return any(
            v is not None
            for v in (self.language, self.char_count, self.artist, self.has_lyrics, self.vocal_mode)
        )


class CatalogReader:
    """Read queries over one open connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._foreign_singers: frozenset[int] | None = None  # per catalog version

    def meta(self, key: str, default: str = "") -> str:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def songs_by_rowid(self, rowids: Sequence[int]) -> list[Song]:
        if not rowids:
            return []
        marks = ",".join("?" * len(rowids))
        rows = self.conn.execute(
            f"SELECT {SONG_COLUMNS} FROM song WHERE id IN ({marks})", list(rowids)
        ).fetchall()
        by_id = {r[0]: song_from_row(r) for r in rows}
        return [by_id[i] for i in rowids if i in by_id]

    def song(self, song_id: str) -> Song | None:
        row = self.conn.execute(
            f"SELECT {SONG_COLUMNS} FROM song WHERE song_id = ?", (song_id,)
        ).fetchone()
        return song_from_row(row) if row else None

    def rowids_of(self, song_ids: Iterable[str]) -> dict[str, int]:
        ids = list(song_ids)
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            f"SELECT song_id, id FROM song WHERE song_id IN ({marks})", ids
        ).fetchall()
        return dict(rows)

    # ---- search: the plan's three kinds of lookup -------------------------------------------
    def lookup(self, key: str, filt: SongFilter, limit: int) -> list[Candidate]:
        """Songs with exactly this key, best tier then most popular first (an index walk)."""
        where, params = filt.sql()
        source = "song_key k CROSS JOIN song s ON s.id = k.song" if where else "song_key k"
        extra = f" AND {where}" if where else ""
        rows = self.conn.execute(
            f"SELECT k.song, k.tier, k.pop FROM {source} "
            f"WHERE k.key = ?{extra} ORDER BY k.tier DESC, k.pop DESC LIMIT ?",
            [key, *params, limit],
        ).fetchall()
        return [Candidate(r[0], TIERS[r[1]], r[2]) for r in rows]

    def prefix_range(self, prefix: str, filt: SongFilter, limit: int) -> list[Candidate]:
        """Songs with a longer key starting with ``prefix`` (whole keys become prefix hits),
        ranked among the first ``settings.range_scan_cap`` such keys."""
        where, params = filt.sql()
        extra = f" AND {where}" if where else ""
        exact, prefix_tier = int(MatchTier.EXACT), int(MatchTier.PREFIX)
        keys = "(SELECT key, tier, pop, song FROM song_key WHERE key > ? AND key < ? LIMIT ?) k"
        source = f"{keys} CROSS JOIN song s ON s.id = k.song" if where else keys
        rows = self.conn.execute(
            f"SELECT k.song, max(CASE k.tier WHEN {exact} THEN {prefix_tier} ELSE k.tier END) "
            f"AS t, max(k.pop) AS p FROM {source} WHERE 1{extra} GROUP BY k.song "
            "ORDER BY t DESC, p DESC LIMIT ?",
            [prefix, successor(prefix), settings.range_scan_cap, *params, limit],
        ).fetchall()
        return [Candidate(r[0], range_tier(TIERS[r[1]]), r[2]) for r in rows]

    def substring(self, text: str, filt: SongFilter, limit: int) -> list[Candidate]:
        """Songs whose folded title or singers contain ``text`` (FTS5 trigram, >= 3 chars),
        the most popular of the first ``settings.substring_scan_cap`` found."""
        where, params = filt.sql()
        extra = f" AND {where}" if where else ""
        quoted = '"' + text.replace('"', '""') + '"'
        rows = self.conn.execute(
            "SELECT s.id, s.popularity FROM (SELECT rowid AS id FROM song_fts "
            "WHERE song_fts MATCH ? LIMIT ?) f CROSS JOIN song s ON s.id = f.id "
            f"WHERE 1{extra} ORDER BY s.popularity DESC LIMIT ?",
            [quoted, settings.substring_scan_cap, *params, limit],
        ).fetchall()
        return [Candidate(r[0], MatchTier.SUBSTRING, r[1]) for r in rows]

    def words(self, words: tuple[str, ...], filt: SongFilter, limit: int) -> list[Candidate]:
        """Songs whose title or singers hold these Latin words in a row, the last one as a
        prefix ("hope re" finds "Sweet Hope Red"): the FTS5 word index, a contains match."""
        where, params = filt.sql()
        extra = f" AND {where}" if where else ""
        phrase = '"' + " ".join(words) + '" *'  # words are [a-z0-9]+: nothing to escape
        rows = self.conn.execute(
            "SELECT s.id, s.popularity FROM song_words w CROSS JOIN song s ON s.id = w.rowid "
            f"WHERE song_words MATCH ?{extra} ORDER BY s.popularity DESC LIMIT ?",
            [phrase, *params, limit],
        ).fetchall()
        return [Candidate(r[0], MatchTier.CONTAINS, r[1]) for r in rows]

    def browse(
        self, filt: SongFilter, limit: int, offset: int, count_cap: int
    ) -> tuple[list[int], int]:
        """No query text: filtered songs by popularity, and how many (up to ``count_cap``)."""
        where, params = filt.sql()
        cond = f"WHERE {where}" if where else ""
        ids = [
            r[0]
            for r in self.conn.execute(
                f"SELECT s.id FROM song s {cond} ORDER BY s.popularity DESC, s.id LIMIT ? OFFSET ?",
                [*params, limit, offset],
            )
        ]
        total = self.conn.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM song s {cond} LIMIT ?)", [*params, count_cap]
        ).fetchone()[0]
        return ids, total

    # ---- singers -----------------------------------------------------------------------------
    def singers(
        self,
        initials: str,
        kind: ArtistKind | None,
        limit: int,
        offset: int,
        *,
        foreign: bool = False,
    ) -> list:
        clauses, params = ["song_count > 0"], []
        if initials:
            clauses.append(
                "id IN (SELECT singer FROM singer_initials WHERE initials >= ? AND initials < ?)"
            )
            params += [initials, successor(initials)]
        if kind is not None:
            clauses.append("kind = ?")
            params.append(kind.value)
        sql = (
            f"SELECT name, kind, song_count, initials, id FROM singer "
            f"WHERE {' AND '.join(clauses)} ORDER BY song_count DESC, initials, name"
        )
        if foreign:
            chosen = self.foreign_singers()
            found = (r for r in self.conn.execute(sql, params) if r[4] in chosen)
            rows = list(islice(found, offset, offset + limit))
        else:
            rows = self.conn.execute(sql + " LIMIT ? OFFSET ?", [*params, limit, offset]).fetchall()
        return [Singer(r[0], ArtistKind(r[1]), r[2], r[3]) for r in rows]

    def foreign_singers(self) -> frozenset[int]:
        """Ids of the singers singer_region calls foreign: one pass over every song (seconds
        on a 1M-song catalog), so computed once per catalog version and kept."""
        if self._foreign_singers is None:
            rows = self.conn.execute(foreign_singers_sql()).fetchall()
            self._foreign_singers = frozenset(r[0] for r in rows)
        return self._foreign_singers

    def forget_derived(self) -> None:
        """The catalog changed: drop what was computed from it."""
        self._foreign_singers = None

    def singer_kind(self, folded: str) -> ArtistKind | None:
        row = self.conn.execute("SELECT kind FROM singer WHERE folded = ?", (folded,)).fetchone()
        return ArtistKind(row[0]) if row else None

    # ---- charts ------------------------------------------------------------------------------
    def hot(self, since_ms: int | None, limit: int) -> list[int]:
        rows = self.conn.execute(
            "SELECT s.id, count(*) AS n FROM play p JOIN song s ON s.song_id = p.song_id "
            "WHERE p.counted = 1 AND p.played_at_ms >= ? GROUP BY s.id "
            "ORDER BY n DESC, s.popularity DESC, s.id LIMIT ?",
            (since_ms or 0, limit),
        ).fetchall()
        return [r[0] for r in rows]

    def new_arrivals(self, limit: int) -> list[int]:
        sql = "SELECT id FROM song ORDER BY added_at DESC, id DESC LIMIT ?"
        return [r[0] for r in self.conn.execute(sql, (limit,))]

    def sung_together(self, song_ids: Sequence[str], limit: int) -> list[int]:
        """Songs sung in the same room sessions as any of ``song_ids``, most shared first."""
        if not song_ids:
            return []
        marks = ",".join("?" * len(song_ids))
        rows = self.conn.execute(
            "SELECT s.id, count(DISTINCT p2.room || '/' || p2.session) AS n "
            "FROM play p1 JOIN play p2 ON p2.session = p1.session AND p2.room = p1.room "
            "JOIN song s ON s.song_id = p2.song_id "
            f"WHERE p1.song_id IN ({marks}) AND p2.song_id NOT IN ({marks}) "
            "GROUP BY s.id ORDER BY n DESC, s.popularity DESC, s.id LIMIT ?",
            [*song_ids, *song_ids, limit],
        ).fetchall()
        return [r[0] for r in rows]

    def same_artist(self, song_ids: Sequence[str], limit: int) -> list[int]:
        if not song_ids:
            return []
        marks = ",".join("?" * len(song_ids))
        rows = self.conn.execute(
            "SELECT DISTINCT s.id, s.popularity FROM song s JOIN song_artist sa ON sa.song = s.id "
            "WHERE sa.singer IN (SELECT sa2.singer FROM song_artist sa2 JOIN song s2 "
            f"ON s2.id = sa2.song WHERE s2.song_id IN ({marks})) "
            "ORDER BY s.popularity DESC, s.id LIMIT ?",
            [*song_ids, limit],
        ).fetchall()
        return [r[0] for r in rows]

    def same_field(self, field: str, song_ids: Sequence[str], limit: int) -> list[int]:
        """Songs sharing the genre or language (``field``) of any of ``song_ids``."""
        assert field in ("genre", "language")
        if not song_ids:
            return []
        marks = ",".join("?" * len(song_ids))
        rows = self.conn.execute(
            f"SELECT id FROM song WHERE {field} != '' AND {field} IN (SELECT {field} FROM song "
            f"WHERE song_id IN ({marks})) ORDER BY popularity DESC, id LIMIT ?",
            [*song_ids, limit],
        ).fetchall()
        return [r[0] for r in rows]

    def counts(self, column: str) -> dict[str, int]:
        assert column in ("language", "vocal_mode")
        sql = f"SELECT {column}, count(*) FROM song GROUP BY {column} ORDER BY 2 DESC"
        return dict(self.conn.execute(sql).fetchall())

    def analysis_counts(self) -> dict[str, int]:
        """Songs not analysed yet, by state (``pending``, ``failed``)."""
        sql = "SELECT analysis, count(*) FROM song WHERE analysis != 'done' GROUP BY analysis"
        return dict(self.conn.execute(sql).fetchall())

    def scalar(self, sql: str, params: Sequence = ()) -> int:
        return self.conn.execute(sql, params).fetchone()[0]
