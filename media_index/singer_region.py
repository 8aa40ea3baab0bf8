"""Which singers a song book files under "foreign" (外语歌星).

The catalog has no region field for artists, so the rule comes from what they sing: a singer
is foreign when more than half of their songs whose language is known are in a language that
is not a Chinese one (Mandarin, Cantonese, Hokkien, Hakka, Teochew). Songs with no language
do not count; a singer with none of known language is not foreign. Foreign is a region, not a
kind: a foreign singer is also listed under male/female/group/band as the index classifies.
"""

from __future__ import annotations

from collections.abc import Mapping

CHINESE_LANGUAGES = ("mandarin", "cantonese", "hokkien", "hakka", "teochew")


def is_foreign(songs_by_language: Mapping[str, int]) -> bool:
    """The rule over one singer's song counts by language ("" = unknown)."""
    known = {lang: n for lang, n in songs_by_language.items() if lang}
    foreign = sum(n for lang, n in known.items() if lang not in CHINESE_LANGUAGES)
    return 2 * foreign > sum(known.values())


def foreign_singers_sql() -> str:
    """The same rule in SQL: the ids of every foreign singer (one pass over all songs)."""
    chinese = ", ".join(f"'{lang}'" for lang in CHINESE_LANGUAGES)
    return (
        "SELECT sa.singer FROM song s JOIN song_artist sa ON sa.song = s.id "
        "WHERE s.language != '' GROUP BY sa.singer "
        f"HAVING 2 * sum(s.language NOT IN ({chinese})) > count(*)"
    )
