"""The pure rules of phone payments: how money a gateway took is split, and yuan text."""

from __future__ import annotations

import pytest

from controller.billing.intents import Apportioned as A
from controller.billing.intents import IssueKind, apportion, fen_of_yuan_text, yuan_text


def test_the_bill_takes_at_most_its_balance_due_and_the_rest_goes_back():
    assert apportion(5000, 8000, True) == A(5000, 0, None)
    assert apportion(5000, 5000, True) == A(5000, 0, None)
    assert apportion(5000, 3000, True) == A(3000, 2000, IssueKind.OVERPAID)
    assert apportion(5000, 0, True) == A(0, 5000, IssueKind.LATE)
    assert apportion(5000, 8000, False) == A(0, 5000, IssueKind.LATE)  # closed: all of it back
    assert apportion(0, 8000, True) == A(0, 0, None)


@pytest.mark.parametrize(
    ("fen", "text"),
    [(0, "0.00"), (1, "0.01"), (150, "1.50"), (12345, "123.45"), (10**10, "100000000.00")],
)
def test_fen_and_yuan_text_round_trip_exactly(fen, text):
    assert yuan_text(fen) == text and fen_of_yuan_text(text) == fen


@pytest.mark.parametrize("text", ["", "1.234", "-1.00", "1e3", "1,00", "¥1", " .5", "1.-5"])
def test_anything_but_plain_yuan_text_is_refused(text):
    with pytest.raises(ValueError):
        fen_of_yuan_text(text)


def test_short_yuan_text_is_read_as_written():
    assert fen_of_yuan_text("1.5") == 150 and fen_of_yuan_text("7") == 700
