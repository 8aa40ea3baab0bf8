"""Property tests of the stored-value ledger (hypothesis): random top-ups, payments,
refunds and cash-outs, with retries, against a real SQLite file."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import controller.members.schema  # noqa: F401
from controller import settings as controller_settings
from controller.members.desk import MemberDesk, MemberPolicy
from controller.members.model import BonusOrder, EntryKind
from controller.members.pin import new_pin_hash
from controller.members.wallet import fold
from controller.store.db import open_store
from ktv.errors import KtvError

NOW = datetime(2026, 11, 24, 11, tzinfo=UTC)
counter = itertools.count()


@pytest.fixture(autouse=True, scope="module")
def cheap_pin_hashes() -> Iterator[None]:
    """The property is about the ledger, not scrypt: a cheap cost keeps ~1,000 PIN checks
    within the timeout on a loaded machine (the real cost is tested in test_pin*)."""
    with mock.patch.object(controller_settings, "scrypt_n", 2**8):
        yield


action = st.one_of(
    st.tuples(st.just("topup"), st.integers(1, 150_000)),
    st.tuples(st.just("pay"), st.integers(1, 80_000)),
    st.tuples(st.just("refund"), st.integers(1, 30_000)),
    st.tuples(st.just("cash_out"), st.integers(1, 60_000)),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    actions=st.lists(st.tuples(action, st.booleans()), min_size=1, max_size=25),
    order=st.sampled_from(list(BonusOrder)),
)
def test_random_days_keep_balances_non_negative_and_equal_to_the_ledger_sum(
    tmp_path_factory, actions, order
):
    store = open_store(tmp_path_factory.mktemp("ledger") / "controller.db")
    try:
        desk = MemberDesk(store, lambda: NOW, MemberPolicy(bonus_order=order))
        m = desk.register("13800138000", "张伟")
        desk.records.set_pin(m.member_id, *new_pin_hash("2580"))
        payments: list[int] = []
        for (kind, amount), retry in actions:
            rid = f"r{next(counter)}"
            for _ in range(2 if retry else 1):  # a retry with the same request id
                try:
                    if kind == "topup":
                        desk.top_up(m.member_id, amount, tender="cash", request_id=rid)
                    elif kind == "pay":
                        e = desk.pay(m.member_id, "2580", amount, request_id=rid)
                        if e.entry_id not in payments:
                            payments.append(e.entry_id)
                    elif kind == "refund" and payments:
                        desk.refund_payment(payments[-1], amount, request_id=rid)
                    elif kind == "cash_out":
                        desk.cash_out(m.member_id, amount, request_id=rid, reason="test")
                except KtvError:
                    pass
                balance = desk.get(m.member_id).balance
                assert balance.principal_fen >= 0 and balance.bonus_fen >= 0
        history = desk.history(m.member_id, limit=10_000)
        assert fold(history) == desk.get(m.member_id).balance
        assert len({e.request_id for e in history}) == len(history)  # retries applied once
        topped = sum(e.principal_fen for e in history if e.kind is EntryKind.TOPUP)
        paid = -sum(e.principal_fen for e in history if e.kind is EntryKind.PAYMENT)
        given_back = sum(e.principal_fen for e in history if e.kind is EntryKind.PAYMENT_REFUND)
        assert desk.get(m.member_id).balance.principal_fen <= topped
        # a refunded payment's principal can be spent again, so only the net spend is bounded
        assert paid - given_back <= topped
        assert desk.verify() == (1, [])
    finally:
        store.close()
