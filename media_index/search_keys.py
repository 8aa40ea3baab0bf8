"""Text normalisation and search keys: pinyin (every reading), trad/simp folding, 字数.

Pure functions: no I/O, no sqlite. The adapter stores the keys ``song_keys`` returns and looks
queries up in the same key space, so what is indexed and what is searched stay in one place.
"""

from __future__ import annotations

import enum
import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import NamedTuple

from media_index import settings


class MatchTier(enum.IntEnum):
    """How well a song matched a query; higher ranks first."""

    SUBSTRING = 0  # the query is a fragment somewhere in the title/singer (>= 3 characters)
    CONTAINS = 1  # a later word (Latin) or character run (CJK) of the title/singer
    PREFIX = 2  # the title/singer (or its pinyin/initials) starts with the query
    EXACT = 3


_SPACES = re.compile(r"\s+")
_LATIN_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_WORD_TOKEN = re.compile(r"[a-z0-9]+")
_HAN_RUN = re.compile("[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff]+")
_KANA = re.compile("[\u3040-\u30ff\u31f0-\u31ff]")


@functools.cache
def _pypinyin() -> ModuleType:
    """pypinyin, imported on first use: ~55 MB that a room agent's searches never need."""
    import pypinyin

    return pypinyin


@functools.cache
def _t2s():
    """OpenCC's traditional -> simplified converter, loaded on first use."""
    import opencc

    return opencc.OpenCC("t2s")


def is_han(ch: str) -> bool:
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF


def is_kana(ch: str) -> bool:
    return 0x3040 <= ord(ch) <= 0x30FF or 0x31F0 <= ord(ch) <= 0x31FF


def is_hangul(ch: str) -> bool:
    o = ord(ch)
    return 0xAC00 <= o <= 0xD7AF or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F


def is_latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """The comparable form: NFKC (full-width -> ASCII), traditional -> simplified, lowercase."""
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii():  # OpenCC only maps CJK: Latin text never needs it
        text = _t2s().convert(text)
    return _SPACES.sub(" ", text.lower()).strip()


def guess_language(title: str, artists: Sequence[str] = ()) -> str:
    """Best guess when nothing declares the language: kana, hangul, Han, else English."""
    text = title + "".join(artists)
    if any(is_kana(c) for c in text):
        return "japanese"
    if any(is_hangul(c) for c in title):
        return "korean"
    if any(is_han(c) for c in title):
        return "mandarin"
    return "english" if any(c.isascii() and c.isalpha() for c in title) else ""


_VERSION_NOTE = re.compile(r"[(（\[【].*?[)）\]】]")
_CJK_CHAR = re.compile(
    "[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff\u3040-\u30ff\u31f0-\u31ff"
    "\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]"
)


def char_count(title: str) -> int:
    """字数: one per CJK/kana/hangul character, one per Latin word (brackets excluded)."""
    core = _VERSION_NOTE.sub("", title) or title
    latin = unicodedata.normalize("NFKC", core).lower()
    return len(_CJK_CHAR.findall(core)) + len(_LATIN_WORD.findall(latin))


@functools.lru_cache(maxsize=65536)
def char_readings(ch: str) -> tuple[str, ...]:
    """Every toneless pinyin reading pypinyin knows for one Han character, commonest first."""
    py = _pypinyin()
    got = py.pinyin(ch, style=py.Style.NORMAL, heteronym=True, errors="ignore")
    readings = tuple(dict.fromkeys(r for r in (got[0] if got else []) if r.isascii() and r))
    return readings or (ch,)


def _syllable_slots(text: str, phrase_aware: bool) -> list[tuple[str, ...]]:
    """One slot per Han character (its readings, default first) or Latin word (itself)."""
    slots: list[tuple[str, ...]] = []
    pos = 0
    for run in _HAN_RUN.finditer(text):
        slots.extend((w,) for w in _LATIN_WORD.findall(text, pos, run.start()))
        pos = run.end()
        chunk = run.group()
        per_char = [char_readings(ch) for ch in chunk]
        if phrase_aware and any(len(r) > 1 for r in per_char):
            # only polyphonic runs need the (slower) phrase dictionary for their default
            py = _pypinyin()
            defaults = py.lazy_pinyin(chunk, style=py.Style.NORMAL, errors="ignore")
            if len(defaults) == len(chunk):
                per_char = [
                    (d, *(x for x in r if x != d)) if d in r else r
                    for d, r in zip(defaults, per_char, strict=True)
                ]
        slots.extend(per_char)
    slots.extend((w,) for w in _LATIN_WORD.findall(text, pos))
    return slots


def readings(text: str, *, phrase_aware: bool = True) -> list[tuple[str, ...]]:
    """Pinyin spellings of a name, one syllable tuple per reading, the likeliest first.

    Polyphonic characters give several readings (重来: chong lai and zhong lai), bounded by
    ``settings.max_reading_combinations``. Names with kana (Japanese) get none.
    """
    folded = fold(text)
    if not _HAN_RUN.search(folded) or _KANA.search(folded):
        return []
    slots = _syllable_slots(folded, phrase_aware)
    first = tuple(s[0] for s in slots)
    out = [first]
    poly = [i for i, s in enumerate(slots) if len(s) > 1]
    if not poly:
        return out
    if len(poly) > settings.max_polyphonic_chars:
        return out
    # every single-character variation first (keeps all readings of every character) ...
    for i in poly:
        for alt in slots[i][1:]:
            out.append((*first[:i], alt, *first[i + 1 :]))
    # ... then combinations of several variations, up to the bound
    for combo in itertools.product(*slots):
        if len(out) >= settings.max_reading_combinations:
            break
        out.append(combo)
    return list(dict.fromkeys(out))[: max(settings.max_reading_combinations, len(poly) + 1)]


def initials_of(syllables: Iterable[str]) -> str:
    return "".join(s[0] for s in syllables if s)


def primary_initials(text: str, *, phrase_aware: bool = True) -> str:
    """The initials a song book prints next to a name (Latin names: first letters of words)."""
    found = readings(text, phrase_aware=phrase_aware)
    if found:
        return initials_of(found[0])
    return initials_of(_LATIN_WORD.findall(fold(text)))


def _put(keys: dict[str, MatchTier], key: str, tier: MatchTier) -> None:
    if key and keys.get(key, -1) < tier:
        keys[key] = tier


def _prefixes(key: str, upto: int) -> list[str]:
    """Proper prefixes of ``key`` up to ``upto`` characters."""
    return [key[:n] for n in range(1, min(upto, len(key) - 1) + 1)]


def name_keys(
    name: str, *, phrase_aware: bool = True, inner_grams: bool = True
) -> dict[str, MatchTier]:
    """Every lookup key of one name (a title or a singer) with the tier it matches at.

    Latin names: the whole name (and its first few characters), each later word.
    Other names: the text, its first characters, every 1-2 character gram (so short CJK
    queries are an index walk), and per pinyin reading its initials and full spelling; the
    likeliest reading also gets its syllable-boundary prefixes. ``inner_grams=False`` leaves
    out the grams after the first character (singer names). A key found at several tiers
    keeps the best one."""
    folded = fold(name)
    if not folded:
        return {}
    latin_n = settings.latin_prefix_chars
    if folded.isascii():
        keys = dict.fromkeys(_prefixes(folded, latin_n), MatchTier.PREFIX)
        keys[folded] = MatchTier.EXACT
        words = _LATIN_WORD.findall(folded)
        if len(words) > 1:
            keys["".join(words)] = MatchTier.EXACT
        for word in words[1:]:
            _put(keys, word, MatchTier.CONTAINS)
        return keys
    compact = folded.replace(" ", "")
    gram_n = settings.cjk_gram_chars
    keys: dict[str, MatchTier] = {}  # filled worst tier first: a better tier overwrites
    if inner_grams:
        contains = MatchTier.CONTAINS
        for n in range(1, gram_n + 1):
            for i in range(1, len(compact) - n + 1):
                gram = compact[i : i + n]
                if not gram.isascii():
                    keys[gram] = contains
    prefix = MatchTier.PREFIX
    for key in _prefixes(compact, gram_n):
        keys[key] = prefix
    exact = [compact, folded]
    for n_reading, syllables in enumerate(readings(folded, phrase_aware=phrase_aware)):
        initials = "".join([s[0] for s in syllables])
        full = "".join(syllables)
        exact += (initials, full)
        for n in range(1, min(latin_n, len(initials) - 1) + 1):
            keys[initials[:n]] = prefix
        for n in range(1, min(latin_n, len(full) - 1) + 1):
            keys[full[:n]] = prefix
        if n_reading == 0:
            acc = ""
            for syllable in syllables[:-1]:  # syllable-boundary prefixes: zhou, zhoujie
                acc += syllable
                keys[acc] = prefix
    keys.update(dict.fromkeys(exact, MatchTier.EXACT))
    keys.pop("", None)
    return keys


@functools.lru_cache(maxsize=32768)
def _singer_keys(name: str, phrase_aware: bool) -> tuple[tuple[str, MatchTier], ...]:
    # a singer is found by its initials, pinyin, name and name prefixes; 1-2 characters from
    # inside a singer's name are not keys (3+ still match through substring search)
    return tuple(name_keys(name, phrase_aware=phrase_aware, inner_grams=False).items())


def song_keys(
    title: str, artists: Sequence[str], *, phrase_aware: bool = True
) -> dict[str, MatchTier]:
    """Keys of a song: its title's and every singer's, best tier kept per key.

    Singer names always use the phrase dictionary for their default reading (few, cached);
    titles only with ``phrase_aware`` (every reading is indexed either way)."""
    keys = name_keys(title, phrase_aware=phrase_aware)
    get = keys.get
    for artist in artists:
        for key, tier in _singer_keys(artist, True):
            if get(key, -1) < tier:
                keys[key] = tier
    return keys


def latin_words(folded: str) -> str:
    """The Latin words of a folded text, space separated (what the word index holds)."""
    return " ".join(_LATIN_WORD.findall(folded))


def query_words(folded: str) -> tuple[str, ...]:
    """A folded query as the word index tokenizes it (letters and digits)."""
    return tuple(_WORD_TOKEN.findall(folded))


@dataclass(frozen=True)
class SearchText:
    """What the adapter indexes besides keys: folded title and singers (substring search of
    >= 3 characters) and their Latin words (word and word-prefix search)."""

    title: str
    artists: str

    @property
    def title_words(self) -> str:
        return latin_words(self.title)

    @property
    def artist_words(self) -> str:
        return latin_words(self.artists)


def search_text(title: str, artists: Sequence[str]) -> SearchText:
    return SearchText(fold(title), " / ".join(fold(a) for a in artists))


class IndexedText(NamedTuple):
    """Everything the catalog indexes for one song's title and singers, computed in one go
    (a bulk import computes these in a worker process; a NamedTuple pickles compactly)."""

    keys: tuple[str, ...]
    tiers: tuple[int, ...]  # parallel to keys: MatchTier values as plain ints
    title: str  # folded title (substring index)
    artists: str  # folded singers, " / " between them
    title_words: str  # Latin words (word index)
    artist_words: str
    char_count: int


def indexed_text(title: str, artists: Sequence[str], phrase_aware: bool) -> IndexedText:
    keys = song_keys(title, artists, phrase_aware=phrase_aware)
    text = search_text(title, artists)
    return IndexedText(
        tuple(keys), tuple(map(int, keys.values())), text.title, text.artists,
        text.title_words, text.artist_words, char_count(title),
    )  # fmt: skip


def indexed_texts(
    names: Sequence[tuple[str, Sequence[str]]], phrase_aware: bool
) -> list[IndexedText]:
    """``indexed_text`` of many (title, singers) pairs: one task of a bulk import's worker."""
    return [indexed_text(title, artists, phrase_aware) for title, artists in names]
