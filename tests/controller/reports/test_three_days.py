"""The hand-computed venue: three business days (Tue 24 - Thu 26 Nov 2026, weekdays, cut-off
10:00, examples/venue.toml prices), every figure of the day closes and the week worked out
by hand below.

Prices (weekday): small 36/h day (10-18), 72/h prime (18-24), 48/h late; VIP 90 / 180 / 120,
VIP head fee 20 per guest in prime; minimum spend small prime 200, VIP prime 800; beer 10
(VIP 15), fruit 38, water 5; happy3 package small 99 (fruit + 6 beer included); 买钟 bonus 30
min per 2 h; a top-up of 500 gets 100 bonus (the default promotion).

Tue (D1)
  11:00 member 张伟 tops up 500 cash (liability: principal 500, bonus 100)
  b1 A08 14:00-16:00, 4 guests: room 2 h x 36 = 72; beer 3 x 10 = 30; fruit 38, comped (赠送)
     total 72 + 30 + 38 - 38 = 102: WeChat 50 + stored value 52
  b2 A09 19:00-20:00, 6 guests: room 72; water 2 x 5 = 10; minimum 200 -> top-up 118
     total 200: 签单 200 to 华为行政部
  b3 B02 22:00 (Tue) - 10:30 (Wed), 2 guests, across midnight and the cut-off:
     room 2 h x 180 + 10 h x 120 + 0.5 h x 90 = 360 + 1200 + 45 = 1605; head fee 2 x 20 = 40;
     beer 4 x 15 = 60; subtotal 1705; 10 % off (manager) = 170.50; total 1534.50, cash at
     10:30 Wed. Open at Tue's cut-off with 1560 + 40 + 60 = 1660 run up.
Wed (D2)
  11:00 Tue is closed.
  b4 A08 12:00-15:00 happy3, 3 guests: 99 + water 2 x 5 = 109, cash (120 handed, 11 change)
  16:00 refund 20 of b1's WeChat (manager, 多收): on Wed, belongs to Tue
  b5 A09 20:00 买钟 2 h (144 cash, +30 min bonus) - 22:30, 2 guests: beer 2 x 10 = 20;
     minimum 200 -> top-up 36; total 200, the 56 due is 招待 (manager)
Thu (D3)
  b6 B02 11:00-12:45, 2 guests: 1 h 45 x 90 = 157.50; beer 2 x 15 = 30; total 187.50:
     stored value 100 + UnionPay 87.50
"""

from __future__ import annotations

import pytest

from controller.billing.desk import TenderAmount, TimePurchase
from controller.billing.records import Tender
from controller.reports.model import PeriodKind

from .conftest import CASHIER, MANAGER, THU, TUE, WED, local, sv


def rows(report, section, *keys):
    s = report.section(section)
    idx = [[c.key for c in s.columns].index(k) for k in keys]
    return {r[idx[0]]: tuple(r[i] for i in idx[1:]) for r in s.rows}


@pytest.fixture
def three_days(venue):
    v = venue
    b, m = v.billing, v.members
    # --- Tue -----------------------------------------------------------------------------
    v.at(TUE, 11)
    member = m.register("13800138000", "张伟", pin="2580")
    m.top_up(member.member_id, 50_000, tender="cash", request_id="topup-1", actor="cashier-li")
    v.at(TUE, 14)
    b.open("A08", 4, CASHIER)
    b.order("A08", [("beer", 3)], CASHIER)
    fruit = b.order("A08", [("fruit", 1)], CASHIER).order_id
    b.update_order("A08", fruit, "comp", MANAGER, "老客户")
    v.at(TUE, 16)
    b1 = b.checkout("A08", CASHIER, [TenderAmount(Tender.WECHAT, 5000, "WX1"), sv(5200)])
    assert b1.bill.total_fen == 10200
    v.at(TUE, 19)
    b.open("A09", 6, CASHIER)
    b.order("A09", [("water", 2)], CASHIER)
    v.at(TUE, 20)
    b2 = b.checkout("A09", CASHIER, [TenderAmount(Tender.SIGNED_CREDIT, 20000, "华为行政部")])
    assert b2.bill.total_fen == 20000
    v.at(TUE, 22)
    b.open("B02", 2, CASHIER)
    b.order("B02", [("beer", 4)], CASHIER)
    # --- Wed -----------------------------------------------------------------------------
    v.at(WED, 10, 30)
    b.discount("B02", MANAGER, reason="老板朋友", percent_bp=1000)
    b3 = b.checkout("B02", CASHIER, [TenderAmount(Tender.CASH, 153450)])
    assert b3.bill.total_fen == 153450
    v.at(WED, 11)
    v.reports.close_day(TUE, "manager-wang")
    v.at(WED, 12)
    v.clean("A08", "A09", "B02")
    b.open("A08", 3, CASHIER, purchase=TimePurchase(package="happy3"))
    v.at(WED, 13)
    b.order("A08", [("water", 2)], CASHIER)
    v.at(WED, 15)
    b4 = b.checkout("A08", CASHIER, [TenderAmount(Tender.CASH, 12000)])
    assert b4.bill.total_fen == 10900
    v.at(WED, 16)
    wechat = next(p for p in b1.tab.payments if p.tender is Tender.WECHAT)
    b.refund(b1.tab.tab_id, wechat.payment_id, 2000, "多收", MANAGER)
    v.at(WED, 20)
    b.open(
        "A09",
        2,
        CASHIER,
        purchase=TimePurchase(prepaid_minutes=120),
        tenders=[TenderAmount(Tender.CASH, 14400)],
    )
    v.at(WED, 21)
    b.order("A09", [("beer", 2)], CASHIER)
    v.at(WED, 22, 30)
    b.pay("A09", [TenderAmount(Tender.HOSPITALITY, 5600, "张总客人")], MANAGER)
    b5 = b.checkout("A09", CASHIER)
    assert b5.bill.total_fen == 20000
    # --- Thu -----------------------------------------------------------------------------
    v.at(THU, 11)
    b.open("B02", 2, CASHIER)
    b.order("B02", [("beer", 2)], CASHIER)
    v.at(THU, 12, 45)
    b6 = b.checkout("B02", CASHIER, [sv(10000), TenderAmount(Tender.UNIONPAY_QR, 8750, "UP1")])
    assert b6.bill.total_fen == 18750
    v.at(THU, 23)
    return v


def test_tuesday_day_close_every_figure(three_days):
    day = three_days.reports.day(TUE)
    assert day.closed_by == "manager-wang"
    f = {x.key: x.value for x in day.figures}
    expected = {
        "bills": 3,
        "sessions": 3,
        "guests": 4 + 6 + 2,
        "room_time_fen": 7200 + 7200 + 160500,
        "package_fen": 0,
        "fee_fen": 4000,
        "products_fen": 3000 + 3800 + 1000 + 6000,
        "minimum_fen": 11800,
        "service_fen": 0,
        "gross_fen": 174900 + 4000 + 13800 + 11800,
        "comp_fen": 3800,
        "discount_fen": 17050,
        "rounding_fen": 0,
        "revenue_fen": 10200 + 20000 + 153450,
        "takings_fen": 5000,  # only the WeChat: b3's cash came on Wed
        "deferred_fen": 5200 + 20000,
        "non_revenue_fen": 0,
        "tendered_fen": 30200,
        "refund_fen": 0,
        "stored_value_spend_fen": 5200,
        "topup_principal_fen": 50000,
        "topup_bonus_fen": 10000,
        "stay_s": 7200 + 3600 + 45000,
        "average_stay_s": 18600,
        "average_bill_fen": 61217,  # 183650 / 3, half up
        "utilisation_bp": 10000,  # 3 sessions / (3 rooms x 1 day)
        "discount_rate_bp": 834,  # 17050 / 204500
        "comp_rate_bp": 186,  # 3800 / 204500
        "open_bills": 1,
        "open_bills_fen": 166000,
    }
    assert {k: f[k] for k in expected} == expected
    assert rows(day, "revenue", "key", "amount_fen") == {
        "room_time": (174900,),
        "packages": (0,),
        "fees": (4000,),
        "drinks": (10000,),
        "snacks": (3800,),
        "minimum": (11800,),
        "service": (0,),
        "gross": (204500,),
        "comps": (-3800,),
        "discounts": (-17050,),
        "rounding": (0,),
        "revenue": (183650,),
    }
    assert rows(day, "tenders", "tender", "net_fen") == {
        "wechat": (5000,),
        "stored_value": (5200,),
        "signed_credit": (20000,),
    }
    assert rows(day, "open_bills", "rooms", "running_total_fen") == {"B02": (166000,)}
    assert rows(day, "rooms", "rooms", "bills", "revenue_fen") == {
        "A08": (1, 10200),
        "A09": (1, 20000),
        "B02": (1, 153450),
    }


def test_wednesday_cash_of_tuesdays_bill_the_late_refund_and_the_house(three_days):
    day = three_days.reports.day(WED)
    f = {x.key: x.value for x in day.figures}
    expected = {
        "bills": 2,
        "guests": 5,
        "room_time_fen": 14400,
        "package_fen": 9900,
        "products_fen": 1000 + 2000,
        "minimum_fen": 3600,
        "revenue_fen": 10900 + 20000,
        "takings_fen": 153450 + 10900 + 14400 - 2000,
        "non_revenue_fen": 5600,
        "deferred_fen": 0,
        "refund_fen": 2000,
        "stay_s": 10800 + 9000,
        "open_bills": 0,
    }
    assert {k: f[k] for k in expected} == expected
    assert rows(day, "late", "kind", "origin_day", "amount_fen") == {
        "refund": ("2026-11-24", -2000)
    }
    assert rows(day, "tenders", "tender", "payments", "taken_fen", "refunded_fen") == {
        "cash": (3, 178750, 0),
        "wechat": (0, 0, -2000),
        "hospitality": (1, 5600, 0),
    }
    beer = rows(day, "best_sellers", "sku", "quantity", "included_quantity")["beer"]
    assert beer == (2, 6)  # b5's two, and six inside b4's package


def test_the_week_adds_up_and_tenders_equal_bills_less_refunds(three_days):
    m = three_days.members  # b1 and b6 were 张伟's (the settlement hook is not installed here)
    member = m.find("13800138000")[0]
    with m.store.transaction():
        m.records.record_visit(member.member_id, "b1", local(TUE, 16), 10200)
        m.records.record_visit(member.member_id, "b6", local(THU, 12, 45), 18750)
    week = three_days.reports.period(PeriodKind.WEEK, WED)
    assert (week.first_day.isoformat(), week.last_day.isoformat()) == ("2026-11-23", "2026-11-29")
    f = {x.key: x.value for x in week.figures}
    assert f["bills"] == 6
    assert f["revenue_fen"] == 183650 + 30900 + 18750
    assert f["takings_fen"] == 5000 + 176750 + 8750
    assert f["deferred_fen"] == 25200 + 10000
    assert f["non_revenue_fen"] == 5600
    assert f["tendered_fen"] == f["revenue_fen"] - f["refund_fen"]  # every bill is paid
    assert f["utilisation_bp"] == 2857  # 6 sessions / (3 rooms x 7 days)
    trend = rows(week, "trend", "period", "revenue_fen")
    assert trend["2026-11-24"] == (183650,) and trend["2026-11-26"] == (18750,)
    assert sum(r[0] for r in trend.values()) == f["revenue_fen"]
    beer = rows(week, "best_sellers", "sku", "quantity", "revenue_fen")
    assert beer["beer"] == (3 + 4 + 2 + 2, 3000 + 6000 + 2000 + 3000)
    assert week.section("best_sellers").rows[0][0] == "beer"
    fees = week.section("room_fees")
    assert [r[:4] for r in fees.rows] == [  # tier, band it opened in, bills, room fee + package
        ("small", "白天档", 2, 7200 + 9900),
        ("small", "黄金档", 2, 7200 + 14400),
        ("vip", "白天档", 1, 15750),
        ("vip", "黄金档", 1, 160500),
    ]
    # 张伟 paid from stored value on Tue and Thu: one active member, tagged new (registered
    # Tue, within 30 days of the week's end), not high-frequency (2 visits), not a VIP
    members = rows(week, "members", "key", "value")
    assert members["active"] == (1,) and members["active_tag_new"] == (1,)
    assert not any(k.startswith("active_tag_") and k != "active_tag_new" for k in members)


def test_a_closed_day_never_changes(three_days):
    closed = three_days.reports.day(TUE)
    three_days.reports.records.catch_up()
    assert three_days.reports.day(TUE) == closed
    assert three_days.reports.close_day(TUE, "someone-else") == closed
