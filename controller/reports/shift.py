"""交班: a cashier's shift, from sign-in to handover, and the cash drawer as a chain (pure).

The drawer's expected cash = what was counted at the last handover (the first shift: the
float it started with) + cash taken (payments, stored-value top-ups in cash) - cash given back
(refunds, stored-value cash-outs) during the shift. The cashier counts it at handover; the
variance (counted - expected) is recorded, with a reason unless it is zero. The next shift
starts from the count, so an error shows in one shift and does not carry into the next.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from controller.billing.tenders import CLASS_LABELS, TenderClass, tender_class, tender_label
from controller.reports.facts import PaymentFact, TopUpFact
from controller.reports.model import Column, Figure, PeriodKind, Report, Section, Unit
from ktv.errors import InvalidArgument

OPERATION_LABELS = {
    "DiscountGiven": "折扣",
    "OrderComped": "赠送",
    "OrderCancelled": "退单",
    "PaymentRefunded": "退款",
    "Refused": "越权被拒",  # an over-cap attempt refused (controller/billing/caps.py)
}


@dataclass(frozen=True)
class Shift:
    shift_id: str
    drawer: str
    staff_id: str
    started_at: datetime
    opening_fen: int  # the last count of this drawer (or the first shift's float)
    ended_at: datetime | None = None
    counted_fen: int | None = None
    expected_fen: int | None = None
    variance_reason: str = ""
    handed_to: str = ""

    @property
    def open(self) -> bool:
        return self.ended_at is None


@dataclass(frozen=True)
class Operation:
    """A discount, comp, cancel or refund done during the shift, and who approved it."""

    at: datetime
    kind: str
    tab_id: str
    staff_id: str
    role: str
    amount_fen: int  # its effect on the bill (negative: less to pay) or the refund
    detail: str
    approved_by: str = ""


@dataclass(frozen=True)
class Drawer:
    opening_fen: int
    cash_in_fen: int
    cash_out_fen: int

    @property
    def expected_fen(self) -> int:
        return self.opening_fen + self.cash_in_fen - self.cash_out_fen


def drawer(shift: Shift, payments: Sequence[PaymentFact], topups: Sequence[TopUpFact]) -> Drawer:
    cash_in = sum(p.amount_fen for p in payments if p.tender == "cash" and p.amount_fen > 0)
    cash_out = -sum(p.amount_fen for p in payments if p.tender == "cash" and p.amount_fen < 0)
    cash_in += sum(t.principal_fen for t in topups if t.tender == "cash" and t.kind == "topup")
    cash_out += -sum(t.principal_fen for t in topups if t.tender == "cash" and t.kind == "cash_out")
    return Drawer(shift.opening_fen, cash_in, cash_out)


def check_count(expected_fen: int, counted_fen: int, reason: str) -> None:
    if counted_fen < 0:
        raise InvalidArgument("the counted cash cannot be negative", reason="BAD_AMOUNT")
    if counted_fen != expected_fen and not reason.strip():
        raise InvalidArgument(
            f"the drawer is {counted_fen - expected_fen:+d} fen off what it should hold: "
            "say why (--reason)",
            reason="VARIANCE_REASON_REQUIRED",
        )


def shift_report(
    shift: Shift,
    payments: Sequence[PaymentFact],
    topups: Sequence[TopUpFact],
    operations: Sequence[Operation],
    until: datetime,
) -> Report:
    """The handover sheet: takings by tender, the drawer chain, the operations done."""
    d = drawer(shift, payments, topups)
    by_tender: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for p in payments:
        acc = by_tender[p.tender]
        acc[0 if p.amount_fen >= 0 else 1] += p.amount_fen
        acc[2] += 1
    by_class = {c: 0 for c in TenderClass}
    for p in payments:
        by_class[tender_class(p.tender)] += p.amount_fen
    figures = [
        Figure("takings_fen", "实收", by_class[TenderClass.REVENUE]),
        Figure("deferred_fen", "储值/签单 (递延)", by_class[TenderClass.DEFERRED]),
        Figure("non_revenue_fen", "招待 (非营收)", by_class[TenderClass.NON_REVENUE]),
        Figure("payments", "收款笔数", len(payments), Unit.COUNT),
        Figure("opening_fen", "上班交接现金", d.opening_fen),
        Figure("cash_in_fen", "现金收入", d.cash_in_fen),
        Figure("cash_out_fen", "现金支出 (退款/退储值)", d.cash_out_fen),
        Figure("expected_fen", "应有现金", d.expected_fen),
    ]
    if shift.counted_fen is not None:
        figures += [
            Figure("counted_fen", "实点现金", shift.counted_fen),
            Figure("variance_fen", "差额 (长+/短-)", shift.counted_fen - d.expected_fen),
        ]
    refused = sum(1 for o in operations if o.kind == "Refused")
    figures.append(
        Figure("operations", "折扣/赠送/退单/退款 次数", len(operations) - refused, Unit.COUNT)
    )
    figures.append(Figure("refused", "越权被拒次数", refused, Unit.COUNT))
    tenders = Section(
        "tenders",
        "按支付方式",
        (
            Column("tender", "代码"),
            Column("label", "支付方式"),
            Column("class", "类别"),
            Column("payments", "笔数", Unit.COUNT),
            Column("taken_fen", "收款", Unit.FEN),
            Column("refunded_fen", "退款", Unit.FEN),
        ),
        tuple(
            (t, tender_label(t), CLASS_LABELS[tender_class(t)], a[2], a[0], a[1])
            for t, a in sorted(by_tender.items())
        ),
    )
    ops = Section(
        "operations",
        "操作记录",
        (
            Column("at", "时间"),
            Column("kind", "操作"),
            Column("bill", "账单"),
            Column("staff_id", "操作人"),
            Column("role", "角色"),
            Column("amount_fen", "金额", Unit.FEN),
            Column("detail", "原因"),
            Column("approved_by", "批准人"),
        ),
        tuple(
            (
                o.at.isoformat(),
                OPERATION_LABELS.get(o.kind, o.kind),
                o.tab_id,
                o.staff_id,
                o.role,
                o.amount_fen,
                o.detail,
                o.approved_by,
            )
            for o in operations
        ),
    )
    info = Section(
        "shift",
        "班次",
        (Column("key", "项目"), Column("value", "内容")),
        (
            ("shift", shift.shift_id),
            ("drawer", shift.drawer),
            ("staff", shift.staff_id),
            ("started_at", shift.started_at.isoformat()),
            ("ended_at", shift.ended_at.isoformat() if shift.ended_at else until.isoformat()),
            ("handed_to", shift.handed_to),
            ("variance_reason", shift.variance_reason),
        ),
    )
    day = shift.started_at.date()
    return Report(PeriodKind.RANGE, day, day, tuple(figures), (info, tenders, ops))
