"""Between billing's domain values and ktv.v1 billing messages (the only place that knows
both)."""

from __future__ import annotations

from controller.api.convert import ts
from controller.auth.model import Principal
from controller.billing.bill import Bill
from controller.billing.desk import TenderAmount, TimePurchase
from controller.billing.records import Actor, StaffRole, Tender
from controller.billing.tab import Tab
from ktv.errors import InvalidArgument
from ktv.v1 import billing_pb2 as pb


def actor_of(principal: Principal) -> Actor:
    who = principal.staff_id or f"{principal.role.name.lower()}:{principal.room_id}"
    return Actor(who, StaffRole(principal.role.name.lower()))


def tender_from_pb(t: pb.TenderAmount) -> TenderAmount:
    name = pb.Tender.Name(t.tender) if t.tender in pb.Tender.values() else ""
    if not name or t.tender == pb.TENDER_UNSPECIFIED:
        raise InvalidArgument(
            "each payment needs a tender (cash, wechat, ...)", reason="BAD_TENDER"
        )
    return TenderAmount(Tender(name.removeprefix("TENDER_").lower()), t.amount_fen, t.reference)


def tender_to_pb(t: Tender) -> int:
    return pb.Tender.Value(f"TENDER_{t.value.upper()}")


def purchase_from_pb(p: pb.TimePurchase) -> TimePurchase:
    if p.prepaid_minutes < 0:
        raise InvalidArgument("prepaid minutes must be positive", reason="BAD_DURATION")
    return TimePurchase(p.package, p.prepaid_minutes, p.session_slot, p.gift)


def bill_to_pb(bill: Bill, tab: Tab) -> pb.Bill:
    paid_until = tab.stays[0].paid_until if tab.stays else None
    return pb.Bill(
        name=f"bills/{bill.tab_id}",
        plan_version=bill.plan_version,
        rooms=[f"rooms/{r}" for r in bill.rooms],
        as_of_time=ts(bill.as_of),
        lines=[
            pb.BillLine(
                kind=ln.kind.value,
                label=ln.label,
                amount_fen=ln.amount_fen,
                quantity=ln.quantity,
                unit_fen=ln.unit_fen,
                room=ln.room,
            )
            for ln in bill.lines
        ],
        subtotal_fen=bill.subtotal_fen,
        service_charge_fen=bill.service_charge_fen,
        discount_fen=bill.discount_fen,
        rounding_fen=bill.rounding_fen,
        total_fen=bill.total_fen,
        paid_fen=bill.paid_fen,
        due_fen=bill.due_fen,
        closed=bill.closed,
        payments=[
            pb.Payment(
                payment_id=p.payment_id,
                tender=tender_to_pb(p.tender),
                amount_fen=p.amount_fen,
                tendered_fen=p.tendered_fen,
                change_fen=p.change_fen,
                provider=p.provider,
                reference=p.reference,
                refund_of=p.refund_of,
                reason=p.reason,
                time=ts(p.at),
            )
            for p in tab.payments
        ],
        orders=[
            pb.Order(
                order_id=o.order_id,
                room=f"rooms/{o.room}",
                status=o.status.value,
                comped=o.comped,
                included=o.included,
                note=o.note,
                source=o.source.value,
                lines=[
                    pb.OrderLine(
                        sku=ln.sku, name=ln.name, quantity=ln.quantity, unit_fen=ln.unit_fen
                    )
                    for ln in o.lines
                ],
            )
            for o in tab.orders
        ],
        mode=tab.mode.value,
        guest_count=tab.guests,
        paid_until_time=ts(paid_until),
        status=tab.status.value,
    )


def bill_id(name: str) -> str:
    if not name.startswith("bills/") or len(name) <= len("bills/"):
        raise InvalidArgument(
            f"bill name must look like bills/{{id}}, got {name!r}", reason="BAD_BILL_NAME"
        )
    return name.removeprefix("bills/")
