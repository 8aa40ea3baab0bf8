"""Tender classes: which payments are real takings (实收) and which are not.

实收 counts revenue tenders only (cash, bank card, WeChat Pay, Alipay, UnionPay). Member
stored-value spend, 签单/挂账 (signed credit) and spent booking deposits are *deferred*: the
money came in (a top-up, a deposit) or comes in (the account settles) at another time.
招待 (hospitality) and served expired stored wine (存酒) are *non-revenue*: nobody pays. A
stored-value top-up is a *liability* (a prepaid balance), not revenue, until it is spent.

The table is keyed by tender code (``Tender.value``), so tenders that billing does not have
yet (``deposit``, ``stored_wine``) are classed already and need only their enum member.
"""

from __future__ import annotations

from enum import Enum

from controller.billing.records import Tender
from ktv.errors import InvalidArgument


class TenderClass(Enum):
    REVENUE = "revenue"  # 实收
    DEFERRED = "deferred"  # paid before (stored value, deposit) or after (签单)
    NON_REVENUE = "non_revenue"  # nobody pays: 招待, served expired stored wine


# code -> (class, the label a cashier reads)
TENDER_CLASSES: dict[str, tuple[TenderClass, str]] = {
    "cash": (TenderClass.REVENUE, "现金"),
    "bank_card": (TenderClass.REVENUE, "银行卡"),
    "wechat": (TenderClass.REVENUE, "微信支付"),
    "alipay": (TenderClass.REVENUE, "支付宝"),
    "unionpay_qr": (TenderClass.REVENUE, "云闪付"),
    "stored_value": (TenderClass.DEFERRED, "会员储值"),
    "signed_credit": (TenderClass.DEFERRED, "签单挂账"),
    "deposit": (TenderClass.DEFERRED, "定金抵扣"),  # no Tender member yet (bookings)
    "hospitality": (TenderClass.NON_REVENUE, "招待"),
    "stored_wine": (TenderClass.NON_REVENUE, "存酒抵扣"),  # no Tender member yet (inventory)
}

CLASS_LABELS = {
    TenderClass.REVENUE: "实收",
    TenderClass.DEFERRED: "递延 (储值/签单/定金)",
    TenderClass.NON_REVENUE: "非营收 (招待/存酒)",
}


def tender_class(code: str | Tender) -> TenderClass:
    """The class of a tender (by enum or code); an unknown code is refused, never guessed."""
    key = code.value if isinstance(code, Tender) else code
    try:
        return TENDER_CLASSES[key][0]
    except KeyError:
        raise InvalidArgument(f"tender {key!r} has no class", reason="BAD_TENDER") from None


def tender_label(code: str | Tender) -> str:
    key = code.value if isinstance(code, Tender) else code
    entry = TENDER_CLASSES.get(key)
    return entry[1] if entry else key


def is_revenue(code: str | Tender) -> bool:
    return tender_class(code) is TenderClass.REVENUE
