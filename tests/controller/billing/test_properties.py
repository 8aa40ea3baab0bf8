"""Random evenings at the front desk: whatever the cashier does, every fen is accounted for."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from controller.billing.bill import LineKind
from controller.billing.codec import decode_event, encode_event
from controller.billing.desk import TenderAmount, TimePurchase
from controller.billing.ledger import Ledger
from controller.billing.money import RoundingRule
from controller.billing.records import Tender
from ktv.errors import KtvError

from .conftest import GUEST, MANAGER, TIERS, TUESDAY, WAITER, FrontDesk, build_plan, local

ROOMS = sorted(TIERS)
SKUS = ["beer", "fruit", "water", "chips", "caviar"]
TENDERS = list(Tender.__members__.values())
NEVER_NEGATIVE = {
    LineKind.ROOM_TIME,
    LineKind.TIME_BOUGHT,
    LineKind.FEE,
    LineKind.ORDER,
    LineKind.INCLUDED,
    LineKind.MINIMUM_SPEND,
    LineKind.SERVICE_CHARGE,
}
PURCHASES = [
    None,
    TimePurchase(package="happy3"),
    TimePurchase(prepaid_minutes=90),
    TimePurchase(prepaid_minutes=240),
    TimePurchase(session="golden"),
    TimePurchase(session="afternoon"),
    TimePurchase(package="happy3", gift=True),
]

step = st.one_of(
    st.tuples(st.just("advance"), st.integers(1, 200)),
    st.tuples(
        st.just("open"), st.integers(0, 9), st.integers(1, 12), st.integers(0, len(PURCHASES) - 1)
    ),
    st.tuples(st.just("order"), st.integers(0, 9), st.sampled_from(SKUS), st.integers(-1, 12)),
    st.tuples(st.just("guests"), st.integers(0, 9), st.integers(0, 20)),
    st.tuples(st.just("discount"), st.integers(0, 9), st.booleans(), st.integers(0, 5000)),
    st.tuples(st.just("comp"), st.integers(0, 9)),
    st.tuples(st.just("cancel"), st.integers(0, 9), st.booleans()),
    st.tuples(st.just("deliver"), st.integers(0, 9)),
    st.tuples(
        st.just("pay"), st.integers(0, 9), st.sampled_from(TENDERS), st.integers(-100, 60000)
    ),
    st.tuples(st.just("move"), st.integers(0, 9), st.integers(0, 9)),
    st.tuples(st.just("merge"), st.integers(0, 9), st.integers(0, 9)),
    st.tuples(st.just("checkout"), st.integers(0, 9), st.integers(0, 3)),
    st.tuples(st.just("refund"), st.integers(0, 99), st.integers(-10, 50000)),
    st.tuples(st.just("extend"), st.integers(0, 9), st.integers(0, len(PURCHASES) - 1)),
)


def busy_rooms(desk: FrontDesk) -> list[str]:
    return sorted(r for t in desk.ledger.tabs.values() if t.is_open for r in t.rooms)


def run(desk: FrontDesk, now, action) -> None:
    kind, *args = action
    busy = busy_rooms(desk)
    free = [r for r in ROOMS if r not in busy]

    def pick(rooms, i):
        return rooms[i % len(rooms)] if rooms else None

    if kind == "open" and free:
        purchase = PURCHASES[args[2]]
        tenders = [TenderAmount(Tender.CASH, 10**7)] if purchase and not purchase.gift else []
        desk.open(
            pick(free, args[0]), now, guests=args[1], purchase=PURCHASES[args[2]], tenders=tenders
        )
    elif not busy and kind != "refund":
        return
    elif kind == "order":
        room = pick(busy, args[0])
        actor = GUEST if args[2] % 2 else WAITER
        desk.order(room, now, (args[1], args[2]), actor=actor)
    elif kind == "guests":
        desk.guests(pick(busy, args[0]), args[1], now)
    elif kind == "discount":
        percent, value = args[1], args[2]
        desk.discount(
            pick(busy, args[0]),
            now,
            percent_bp=value if percent else 0,
            amount_fen=0 if percent else value,
        )
    elif kind in ("comp", "cancel", "deliver"):
        room = pick(busy, args[0])
        tab = desk.tab(room)
        if tab.orders:
            order = tab.orders[-1]
            if kind == "comp":
                desk.comp(room, order.order_id, now)
            elif kind == "deliver":
                desk.deliver(room, order.order_id, now)
            else:
                desk.cancel(room, order.order_id, now, actor=MANAGER if args[1] else WAITER)
    elif kind == "pay":
        desk.pay(pick(busy, args[0]), now, TenderAmount(args[1], args[2], reference="ref"))
    elif kind == "move" and free:
        desk.move(pick(busy, args[0]), pick(free, args[1]), now)
    elif kind == "merge":
        desk.merge(pick(busy, args[0]), pick(busy, args[1]), now)
    elif kind == "checkout":
        room = pick(busy, args[0])
        due = desk.bill(room, now).due_fen
        tenders = (
            [TenderAmount(Tender.WECHAT, due // 2, reference="wx")] if args[1] and due > 1 else []
        )
        rest = due - sum(t.amount_fen for t in tenders)
        if rest > 0:
            tenders.append(TenderAmount(Tender.CASH, rest + 10000 * args[1]))
        desk.checkout(room, now, *tenders)
    elif kind == "refund":
        paid = [(t, p) for t in desk.ledger.tabs.values() for p in t.payments if p.amount_fen > 0]
        if paid:
            tab, p = paid[args[0] % len(paid)]
            room = tab.rooms[0] if tab.rooms else None
            if room is not None and desk.by_room.get(room) == tab.tab_id:
                desk.refund(room, p.payment_id, args[1], now)
    elif kind == "extend":
        purchase = PURCHASES[args[1]]
        if purchase is not None:
            desk.extend(pick(busy, args[0]), now, purchase)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(step, min_size=10, max_size=40),
    st.sampled_from(list(RoundingRule)),
    st.integers(0, 1500),
)
def test_every_fen_is_accounted_for_whatever_the_front_desk_does(actions, rounding, service_bp):
    desk = FrontDesk(build_plan(rounding=rounding, service_charge_bp=service_bp))
    now = local(TUESDAY, 13)
    desk.open("A08", now, guests=4)
    desk.open("B02", now, guests=6)
    frozen = {}
    for action in actions:
        if action[0] == "advance":
            now += timedelta(minutes=action[1])
            continue
        before = dict(desk.ledger.tabs)
        n_events = len(desk.events)
        try:
            run(desk, now, action)
            event(f"{action[0]} accepted")
        except KtvError:
            event(f"{action[0]} refused")
            assert (
                desk.ledger.tabs == before and len(desk.events) == n_events
            )  # refused: nothing changed
        for tab in desk.ledger.tabs.values():
            bill = desk.ledger.bill(tab.tab_id, now)
            assert bill.total_fen >= 0 and bill.paid_fen >= 0
            assert all(ln.amount_fen >= 0 for ln in bill.lines if ln.kind in NEVER_NEGATIVE)
            for p in tab.payments:
                assert p.amount_fen != 0 and p.change_fen >= 0
            if bill.closed:
                if tab.tab_id not in frozen:
                    assert bill.paid_fen == bill.total_fen  # a bill closes only when paid == billed
                    frozen[tab.tab_id] = (bill.lines, bill.total_fen, len(tab.payments))
                lines, total, n_at_close = frozen[tab.tab_id]
                assert (bill.lines, bill.total_fen) == (lines, total)  # never changes after close
                later = tab.payments[n_at_close:]
                assert all(p.amount_fen < 0 for p in later)  # after close, only refunds
                assert bill.paid_fen == total + sum(p.amount_fen for p in later)
    # replaying the log (through JSON, as the store keeps it) reproduces every bill
    replay = Ledger({desk.plan.version: desk.plan})
    replay.apply_all(decode_event(encode_event(e)) for e in desk.events)
    for tab_id in desk.ledger.tabs:
        assert replay.bill(tab_id, now) == desk.ledger.bill(tab_id, now)
