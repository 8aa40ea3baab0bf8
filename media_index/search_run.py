"""Running a query plan in stages, cheapest first, stopping as soon as the page is settled.

Key lookups are index walks already in rank order. A prefix range (queries longer than the
materialised prefixes) is only needed while the page lacks prefix-or-better matches, the word
search (Latin words anywhere in a name, FTS5 word index) while it lacks contains-or-better
matches, and the substring search (FTS5 trigram) only while the page is not full: later
stages can only add matches that rank below what the page already holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from media_index import settings
from media_index.ranking import Candidate, QueryPlan, merge_ranked
from media_index.search_keys import MatchTier


class PlanReader(Protocol):
    def lookup(self, key: str, filt, limit: int) -> list[Candidate]: ...
    def prefix_range(self, prefix: str, filt, limit: int) -> list[Candidate]: ...
    def substring(self, text: str, filt, limit: int) -> list[Candidate]: ...
    def words(self, words: tuple[str, ...], filt, limit: int) -> list[Candidate]: ...


@dataclass(frozen=True)
class PlanResult:
    ranked: list[Candidate]
    truncated: bool  # some stage hit its limit or was skipped: len(ranked) is a lower bound


def settled(ranked: list[Candidate], need: int, at_least: MatchTier) -> bool:
    """True if ``need`` matches at ``at_least`` or better are in hand."""
    return sum(1 for c in ranked if c.tier >= at_least) >= need


def run_plan(reader: PlanReader, plan: QueryPlan, filt, need: int) -> PlanResult:
    fetch = max(need * 2, settings.search_count_cap)
    streams = [reader.lookup(k, filt, fetch) for k in plan.lookup_keys]
    truncated = any(len(s) >= fetch for s in streams)
    ranked = merge_ranked(streams)
    for prefix in plan.range_prefixes:  # "dao xiang", then "daoxiang" only if still needed
        if settled(ranked, need, MatchTier.PREFIX):
            truncated = True
            break
        found = reader.prefix_range(prefix, filt, fetch)
        truncated |= len(found) >= fetch
        streams.append(found)
        ranked = merge_ranked(streams)
    if plan.words:
        if settled(ranked, need, MatchTier.CONTAINS):
            truncated = True
        else:
            found = reader.words(plan.words, filt, fetch)
            truncated |= len(found) >= fetch
            streams.append(found)
            ranked = merge_ranked(streams)
    if plan.contains_texts:
        if settled(ranked, need, MatchTier.SUBSTRING):
            truncated = True
        else:
            for text in plan.contains_texts:
                found = reader.substring(text, filt, fetch)
                truncated |= len(found) >= fetch
                streams.append(found)
            ranked = merge_ranked(streams)
    return PlanResult(ranked, truncated)
