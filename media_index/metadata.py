"""Where a song's descriptive metadata comes from, in order of trust: a sidecar file
(``<stem>.ktv.toml``), embedded tags, then the file name ``歌手 - 歌名 (版本).ext``.

Each reader is a pure-ish function of one file; ``merge`` applies the order of trust.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from media_index.model import Channel, VocalMode
from media_index.records import ArtistKind

SIDECAR_SUFFIX = ".ktv.toml"
_ARTIST_SPLIT = re.compile(r"\s*(?:、|&|/|,|，|;|；| feat\.? | ft\.? | x )\s*", re.IGNORECASE)
_VERSION = re.compile(r"\s*[(（\[【]([^)）\]】]*)[)）\]】]\s*$")


class SidecarError(ValueError):
    """The sidecar exists but says something we cannot use; the message says what."""


@dataclass(frozen=True)
class SongMeta:
    """What one source says about a song; None means "this source does not say"."""

    title: str | None = None
    artists: tuple[str, ...] | None = None
    language: str | None = None
    genre: str | None = None
    artist_kind: ArtistKind | None = None
    vocal_mode: VocalMode | None = None
    vocal_track: int | None = None
    accompaniment_track: int | None = None
    vocal_channel: Channel | None = None
    lyrics: str | None = None  # path as written (relative to the song's folder)
    tags: tuple[str, ...] | None = None
    popularity: int | None = None


def merge(*sources: SongMeta) -> SongMeta:
    """First source that says something wins, field by field (sources in order of trust)."""
    out = SongMeta()
    for f in fields(SongMeta):
        for src in sources:
            value = getattr(src, f.name)
            if value not in (None, (), ""):
                out = replace(out, **{f.name: value})
                break
    return out


def split_artists(text: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in _ARTIST_SPLIT.split(text.strip()) if a.strip())


def from_file_name(path: Path) -> SongMeta:
    """``歌手 - 歌名 (版本).ext``; without " - " the whole stem is the title."""
    stem = path.stem
    if stem.endswith(".ktv"):
        stem = stem[:-4]
    tags: tuple[str, ...] | None = None
    m = _VERSION.search(stem)
    if m and m.start() > 0:
        tags = (m.group(1).strip(),) if m.group(1).strip() else None
        stem = stem[: m.start()]
    artist, sep, title = stem.partition(" - ")
    if not sep:
        return SongMeta(title=stem.strip() or None, tags=tags)
    return SongMeta(title=title.strip() or None, artists=split_artists(artist) or None, tags=tags)


def sidecar_path(media: Path) -> Path:
    return media.with_name(media.stem + SIDECAR_SUFFIX)


def _enum(cls, value: object, key: str):
    if value is None:
        return None
    try:
        return cls(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(m.value for m in cls)
        raise SidecarError(f"{key} = {value!r} is not one of: {allowed}") from None


def _int(value: object, key: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise SidecarError(f"{key} must be a non-negative integer, got {value!r}")
    return value


def _str(value: object, key: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise SidecarError(f"{key} must be a string, got {value!r}")
    return value.strip() or None


def from_sidecar(path: Path) -> SongMeta:
    """Parse a ``.ktv.toml`` sidecar (format in docs/media-index.md). Raises SidecarError."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise SidecarError(f"not valid UTF-8 TOML: {e}") from None
    known = {
        "title", "artist", "artists", "language", "genre", "artist_kind", "vocal_mode",
        "vocal_track", "accompaniment_track", "vocal_channel", "lyrics", "tags", "popularity",
    }  # fmt: skip
    unknown = sorted(set(data) - known)
    if unknown:
        raise SidecarError(f"unknown keys: {', '.join(unknown)}")
    artists = data.get("artists", data.get("artist"))
    if isinstance(artists, str):
        artists = split_artists(artists)
    elif isinstance(artists, list) and all(isinstance(a, str) for a in artists):
        artists = tuple(a.strip() for a in artists if a.strip())
    elif artists is not None:
        raise SidecarError("artists must be a string or a list of strings")
    tags = data.get("tags")
    if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        raise SidecarError("tags must be a list of strings")
    kind = data.get("artist_kind")
    return SongMeta(
        title=_str(data.get("title"), "title"),
        artists=artists or None,
        language=(_str(data.get("language"), "language") or "").lower() or None,
        genre=_str(data.get("genre"), "genre"),
        artist_kind=None if kind is None else _enum(ArtistKind, kind, "artist_kind"),
        vocal_mode=_enum(VocalMode, data.get("vocal_mode"), "vocal_mode"),
        vocal_track=_int(data.get("vocal_track"), "vocal_track"),
        accompaniment_track=_int(data.get("accompaniment_track"), "accompaniment_track"),
        vocal_channel=_enum(Channel, data.get("vocal_channel"), "vocal_channel"),
        lyrics=_str(data.get("lyrics"), "lyrics"),
        tags=tuple(tags) if tags else None,
        popularity=_int(data.get("popularity"), "popularity"),
    )


# files whose tags mutagen reads; the others (MPEG-PS, MKV, AVI, TS) carry their tags in the
# container, which the probe reports (from_container_tags). Asking mutagen to guess the type of
# an .mpg made it hunt MP3 frame syncs through the file: ~70 ms of CPU a file, for nothing.
MUTAGEN_SUFFIXES = frozenset({".mp3", ".flac", ".ogg", ".opus", ".m4a", ".mp4", ".wav"})


def from_embedded_tags(path: Path) -> SongMeta:
    """Title/artist/genre/language from tags mutagen can read (MP3, FLAC, Ogg, MP4)."""
    suffix = path.suffix.lower()
    if suffix not in MUTAGEN_SUFFIXES:
        return SongMeta()
    try:
        if suffix == ".mp3":  # the ID3 tag alone: no walk over the frames for a length
            from mutagen.easyid3 import EasyID3

            tags = EasyID3(path)
        else:
            import mutagen

            f = mutagen.File(path, easy=True)
            tags = f.tags if f is not None else None
    except Exception:  # mutagen raises many types for files it cannot parse; tags are optional
        return SongMeta()
    if not tags:
        return SongMeta()

    def first(key: str) -> str | None:
        try:
            values = tags.get(key)
        except (KeyError, ValueError):
            return None
        return str(values[0]).strip() or None if values else None

    artist = first("artist")
    language = first("language")
    return SongMeta(
        title=first("title"),
        artists=split_artists(artist) if artist else None,
        genre=first("genre"),
        language=language.lower() if language else None,
    )


def from_container_tags(tags: dict[str, str]) -> SongMeta:
    """Format-level tags ffprobe reports (MKV/MP4/AVI titles that mutagen cannot read)."""
    lower = {k.lower(): v.strip() for k, v in tags.items() if isinstance(v, str) and v.strip()}
    artist = lower.get("artist") or lower.get("album_artist")
    return SongMeta(
        title=lower.get("title"),
        artists=split_artists(artist) if artist else None,
        genre=lower.get("genre"),
        language=lower.get("language", "").lower() or None,
    )
