"""Which deck alignment moves, and how (alignment.plan_moves): never the one the guest hears."""

from __future__ import annotations

from dataclasses import dataclass, field

from room_agent.player import settings
from room_agent.player.alignment import Roles, hold_all, plan_moves


@dataclass(eq=False)
class FakeDeck:
    name: str
    paused: list[bool] = field(default_factory=list)

    def time_ms(self) -> int:
        return 0

    def set_pause(self, paused: bool) -> None:
        self.paused.append(paused)

    def seek(self, position_ms: int) -> None:
        raise AssertionError("plan_moves only plans")


MAIN, SHADOW, PICTURE = FakeDeck("main"), FakeDeck("shadow"), FakeDeck("picture")


def _moves(audible: FakeDeck, muted: FakeDeck, late: dict[str, float]) -> dict[str, object]:
    roles = Roles(audible, muted, PICTURE)
    planned = plan_moves(roles, late, now_ms=10_000.0, audible_origin_ms=8_000.0)
    return {m.deck.name: (m.hold_ms, m.seek_to_ms) for m in planned}


def test_the_audible_deck_is_never_moved_even_when_it_is_the_early_one() -> None:
    moves = _moves(SHADOW, MAIN, {"shadow": 0.0, "main": 60.0, "picture": 0.0})
    assert "shadow" not in moves
    assert moves["main"] == (0.0, 2_000 + int(settings.align_seek_lead_ms))


def test_a_muted_deck_ahead_is_held_back_by_exactly_its_lead() -> None:
    moves = _moves(MAIN, SHADOW, {"main": 0.0, "shadow": -37.5, "picture": 3.0})
    assert moves == {"shadow": (37.5, None)}


def test_decks_within_tolerance_are_left_alone() -> None:
    late = {"main": 0.0, "shadow": settings.shadow_align_tolerance_ms - 0.5, "picture": -8.0}
    assert _moves(MAIN, SHADOW, late) == {}


def test_a_muted_deck_slightly_behind_waits_for_the_next_switch_instead_of_a_seek() -> None:
    assert _moves(MAIN, SHADOW, {"main": 0.0, "shadow": 20.0}) == {}


def test_a_picture_behind_is_seeked_ahead_and_one_far_ahead_too() -> None:
    behind = _moves(MAIN, SHADOW, {"main": 0.0, "shadow": 0.0, "picture": 30.0})
    assert behind["picture"][1] == 2_000 + int(settings.align_seek_lead_ms)
    far = _moves(MAIN, SHADOW, {"main": 0.0, "picture": -(settings.align_max_hold_ms + 50)})
    assert far["picture"][1] is not None


def test_holding_several_decks_pauses_each_and_lets_each_go() -> None:
    a, b = FakeDeck("a"), FakeDeck("b")
    hold_all([(a, 5.0), (b, 1.0)])
    assert a.paused == [True, False]
    assert b.paused == [True, False]
