"""What a query box input means and how matches are ranked: exact > prefix > contains, then
popularity. Pure: the SQLite adapter runs the plan's lookups and hands candidates back here.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from media_index import settings
from media_index.search_keys import MatchTier, fold, is_han, is_hangul, is_kana, query_words

_PINYIN_SYLLABLE = re.compile(
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|van|ai|ei|ao|ou|an|en|er|in|un|vn|"
    r"ia|ie|iu|ua|uo|ui|ue|ve|a|o|e|i|u|v)"
)


class QueryKind(enum.Enum):
    """What the guest most likely typed (for display and logging; search tries every reading)."""

    EMPTY = "empty"
    CHINESE = "chinese"  # Han characters, 1 or more (traditional folds to simplified)
    OTHER_SCRIPT = "other_script"  # kana, hangul
    PINYIN = "pinyin"  # splits into pinyin syllables: daoxiang, zhoujielun
    INITIALS = "initials"  # letters that are not pinyin: zjl, dx
    ENGLISH = "english"  # words with spaces, digits, or long non-pinyin words


def _is_pinyin(text: str) -> bool:
    pos = 0
    while pos < len(text):
        m = _PINYIN_SYLLABLE.match(text, pos)
        if not m or m.end() == pos:
            return False
        pos = m.end()
    return True


def classify(query: str) -> QueryKind:
    q = fold(query)
    if not q:
        return QueryKind.EMPTY
    if any(is_han(c) for c in q):
        return QueryKind.CHINESE
    if any(is_kana(c) or is_hangul(c) for c in q):
        return QueryKind.OTHER_SCRIPT
    if " " in q or any(c.isdigit() for c in q):
        return QueryKind.ENGLISH
    if len(q) >= 2 and _is_pinyin(q):
        return QueryKind.PINYIN
    if len(q) <= 8 and q.isalpha():
        return QueryKind.INITIALS
    return QueryKind.ENGLISH


@dataclass(frozen=True)
class QueryPlan:
    """The lookups one query needs, all in the key space ``search_keys`` indexes."""

    kind: QueryKind
    lookup_keys: tuple[str, ...]  # key = k, already ordered by tier then popularity
    range_prefixes: tuple[str, ...]  # k < key < successor(k): longer keys starting with k
    contains_texts: tuple[str, ...]  # substring search in titles/singers (>= 3 characters)
    # Latin words in a row anywhere in a title or singer, the last one possibly unfinished
    words: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return self.kind is QueryKind.EMPTY


def plan_query(query: str) -> QueryPlan:
    kind = classify(query)
    q = fold(query)
    if kind is QueryKind.EMPTY:
        return QueryPlan(kind, (), (), ())
    variants = [q]
    if " " in q:
        variants.append(q.replace(" ", ""))  # "dao xiang", "zhou jie lun"
    lookups: list[str] = []
    ranges: list[str] = []
    for v in dict.fromkeys(variants):
        lookups.append(v)
        materialised = settings.latin_prefix_chars if v.isascii() else settings.cjk_gram_chars
        if len(v) > materialised:
            ranges.append(v)
    words = query_words(q) if q.isascii() else ()
    # substring search: CJK text, and Latin text that is one token ("eart" in heart); Latin
    # words are found by the word index (a substring search over every Latin title is the
    # slowest thing a query can do: ~7 ms at 1M songs)
    substring = len(q) >= 3 and (not q.isascii() or (len(words) == 1 and words[0] == q))
    contains = (q,) if substring else ()
    return QueryPlan(kind, tuple(lookups), tuple(ranges), contains, words)


def successor(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def range_tier(stored: MatchTier) -> MatchTier:
    """A whole key that merely starts with the query is a prefix match, not an exact one."""
    return MatchTier.PREFIX if stored is MatchTier.EXACT else stored


class Candidate(NamedTuple):
    """One matching song (a NamedTuple: searches build hundreds per keystroke)."""

    song: int  # the adapter's row id
    tier: MatchTier
    popularity: int


def merge_ranked(streams: Iterable[Iterable[Candidate]]) -> list[Candidate]:
    """One list, best tier per song, ordered exact > prefix > contains, then popularity."""
    best: dict[int, Candidate] = {}
    for stream in streams:
        for c in stream:
            seen = best.get(c.song)
            if seen is None or c.tier > seen.tier:
                best[c.song] = c
    return sorted(best.values(), key=lambda c: (-c.tier, -c.popularity, c.song))
