"""Pure stored-value arithmetic (hypothesis): splits add up and never exceed the balance."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from controller.members.model import Balance, BonusOrder, EntryKind, LedgerEntry
from controller.members.wallet import split_cash_out, split_debit, split_payment_refund
from ktv.errors import FailedPrecondition

balances = st.builds(Balance, st.integers(0, 10**7), st.integers(0, 10**7))


@given(balances, st.integers(1, 2 * 10**7), st.sampled_from(list(BonusOrder)))
def test_a_payment_takes_exactly_its_amount_and_never_more_than_there_is(balance, amount, order):
    if amount > balance.total_fen:
        with pytest.raises(FailedPrecondition):
            split_debit(balance, amount, order)
        return
    principal, bonus = split_debit(balance, amount, order)
    assert principal + bonus == amount
    assert 0 <= principal <= balance.principal_fen and 0 <= bonus <= balance.bonus_fen


@given(st.integers(0, 10**6), st.integers(0, 10**6), st.lists(st.integers(1, 10**5), max_size=12))
def test_partial_refunds_of_a_payment_give_back_exactly_what_it_took(taken_p, taken_b, parts):
    paid = LedgerEntry(
        1, "m-1", EntryKind.PAYMENT, -taken_p, -taken_b, datetime.now(UTC), "r", "stored_value"
    )
    already = back_p = back_b = 0
    for part in parts:
        if already + part > taken_p + taken_b:
            break
        p, b = split_payment_refund(paid, already, part)
        assert p + b == part and p >= 0 and b >= 0
        already += part
        back_p, back_b = back_p + p, back_b + b
        assert back_p <= taken_p and back_b <= taken_b
    if already < taken_p + taken_b:
        p, b = split_payment_refund(paid, already, taken_p + taken_b - already)
        back_p, back_b = back_p + p, back_b + b
    assert (back_p, back_b) == (taken_p, taken_b)


@given(balances, st.integers(1, 10**7))
def test_a_cash_out_never_pays_out_bonus_and_never_leaves_a_negative(balance, amount):
    if amount > balance.principal_fen:
        with pytest.raises(FailedPrecondition):
            split_cash_out(balance, amount)
        return
    p, b = split_cash_out(balance, amount)
    assert p == -amount
    after = balance.plus(p, b)
    assert after.principal_fen >= 0 and after.bonus_fen >= 0
    if after.principal_fen == 0:
        assert after.bonus_fen == 0
