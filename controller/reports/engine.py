"""The report engine: figures and tables from facts, pure arithmetic in integer fen.

Every figure that is a sum (money, counts, seconds) is additive: a month's is the sum of its
days' (``tests/controller/reports/test_properties.py``). Ratios (客单价, utilisation, discount
and comp rates) are computed from the sums, never summed; they round half up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from controller.billing.tenders import CLASS_LABELS, TenderClass, tender_class, tender_label
from controller.reports.facts import (
    BillFact,
    EnergyFact,
    LineFact,
    MemberActivity,
    OpenBill,
    PaymentFact,
    PointsFact,
    Product,
    RoomFact,
    ServedWineFact,
    TopUpFact,
)
from controller.reports.model import Column, Figure, PeriodKind, Report, Section, Unit
from controller.reports.periods import sub_periods

CATEGORY_LABELS = {
    "room_time": "房费",
    "packages": "套餐",
    "fees": "人头费/差价",
    "minimum": "最低消费补足",
    "service": "服务费",
    "drinks": "酒水",
    "snacks": "小吃",
    "food": "餐饮",
    "fruit": "果盘",
    "other": "其他",
}
TOP_N = 10
TAG_LABELS = {  # controller/members/tiers.py Tag values
    "new": "新会员",
    "high_frequency": "高频",
    "high_value_vip": "高价值VIP",
    "dormant": "沉睡",
    "birthday_this_month": "本月生日",
}


_CLASSES: dict[str, TenderClass] = {}


def _class(code: str) -> TenderClass:
    """tender_class, remembered (called once per payment of a quarter)."""
    found = _CLASSES.get(code)
    if found is None:
        found = _CLASSES[code] = tender_class(code)
    return found


def _div(a: int, b: int) -> int:
    """a / b rounded half up (0 when b is 0)."""
    if b == 0:
        return 0
    q, r = divmod(a, b)
    return q + (1 if 2 * r >= b else 0)


def _bp(a: int, b: int) -> int:
    return _div(a * 10_000, b)


@dataclass(frozen=True)
class Facts:
    """Everything one report reads, for business days ``first_day`` .. ``last_day``."""

    first_day: date
    last_day: date
    rooms: int
    bills: Sequence[BillFact] = ()
    lines: Sequence[LineFact] = ()
    payments: Sequence[PaymentFact] = ()
    topups: Sequence[TopUpFact] = ()
    points: Sequence[PointsFact] = ()
    members: MemberActivity = field(default_factory=lambda: MemberActivity(0, {}))
    menu: Mapping[str, Product] = field(default_factory=dict)
    open_bills: Sequence[OpenBill] = ()
    new_members_by_day: Mapping[date, int] = field(default_factory=dict)
    by_room: Sequence[RoomFact] = ()  # the whole period only (not split for the trend)
    served: Sequence[ServedWineFact] = ()  # expired 存酒 served (non-revenue, no bill)
    energy: Sequence[EnergyFact] = ()  # per room, the day close only

    def within(self, first: date, last: date) -> Facts:
        """The facts of a sub-period (members active by tier are not split: left empty)."""

        def inside(d: date) -> bool:
            return first <= d <= last

        return replace(
            self,
            first_day=first,
            last_day=last,
            bills=[b for b in self.bills if inside(b.booked_day)],
            lines=[ln for ln in self.lines if inside(ln.booked_day)],
            payments=[p for p in self.payments if inside(p.booked_day)],
            topups=[t for t in self.topups if inside(t.day)],
            points=[p for p in self.points if inside(p.day)],
            members=MemberActivity(
                sum(n for d, n in self.new_members_by_day.items() if inside(d)), {}
            ),
            new_members_by_day={d: n for d, n in self.new_members_by_day.items() if inside(d)},
            open_bills=(),
            by_room=(),
            served=[w for w in self.served if inside(w.day)],
            energy=(),
        )


def headline(f: Facts) -> list[Figure]:
    """The additive figures and the ratios made from them."""
    b = f.bills
    n_days = (f.last_day - f.first_day).days + 1
    acc = [0] * 11
    bills = sessions = guests = stay = 0
    for x in b:  # one pass: a quarter holds tens of thousands of bills
        acc[0] += x.room_time_fen
        acc[1] += x.package_fen
        acc[2] += x.fee_fen
        acc[3] += x.products_fen
        acc[4] += x.minimum_fen
        acc[5] += x.service_fen
        acc[6] += x.comp_fen
        acc[7] += x.comp_cost_fen
        acc[8] += x.discount_fen
        acc[9] += x.rounding_fen
        acc[10] += x.total_fen
        bills += x.count
        sessions += x.sessions
        guests += x.guests
        stay += x.stay_s
    keys = [
        "room_time_fen",
        "package_fen",
        "fee_fen",
        "products_fen",
        "minimum_fen",
        "service_fen",
        "comp_fen",
        "comp_cost_fen",
        "discount_fen",
        "rounding_fen",
        "revenue_fen",
    ]
    s = dict(zip(keys, acc, strict=True))
    gross = sum(acc[:6])
    by_tender: dict[str, int] = defaultdict(int)
    refunds = sv_spend = 0
    for p in f.payments:
        by_tender[p.tender] += p.amount_fen
        if p.amount_fen < 0:
            refunds -= p.amount_fen
        if p.tender == "stored_value":
            sv_spend += p.amount_fen
    by_class = {c: 0 for c in TenderClass}
    for tender, amount in by_tender.items():
        by_class[_class(tender)] += amount
    cost_of_sales = package_cost = 0
    for ln in f.lines:
        cost_of_sales += ln.sold_cost_fen
        package_cost += ln.included_cost_fen
    wine = [0, 0, 0]
    for w in f.served:
        wine[0] += w.bottles
        wine[1] += w.value_fen
        wine[2] += w.cost_fen
    topup_p = sum(t.principal_fen for t in f.topups if t.kind == "topup")
    topup_b = sum(t.bonus_fen for t in f.topups if t.kind == "topup")
    cash_out = -sum(t.principal_fen for t in f.topups if t.kind == "cash_out")
    F, C, BP, S = Unit.FEN, Unit.COUNT, Unit.BP, Unit.SECONDS
    return [
        Figure("revenue_fen", "营业额 (账单合计)", s["revenue_fen"], F),
        Figure("takings_fen", "实收", by_class[TenderClass.REVENUE], F),
        Figure("deferred_fen", "储值/签单/定金 (递延)", by_class[TenderClass.DEFERRED], F),
        Figure("non_revenue_fen", "招待/存酒 (非营收)", by_class[TenderClass.NON_REVENUE], F),
        Figure("tendered_fen", "收款合计", sum(by_class.values()), F),
        Figure("stored_wine_served", "过期存酒招待 (瓶, 非营收, 不入账单)", wine[0], C),
        Figure("stored_wine_value_fen", "过期存酒招待 (按售价)", wine[1], F),
        Figure("stored_wine_cost_fen", "过期存酒招待 (按成本)", wine[2], F),
        Figure("gross_fen", "应收 (折前)", gross, F),
        Figure("room_time_fen", "房费", s["room_time_fen"], F),
        Figure("package_fen", "套餐", s["package_fen"], F),
        Figure("fee_fen", "人头费/差价", s["fee_fen"], F),
        Figure("products_fen", "商品 (酒水小吃)", s["products_fen"], F),
        Figure("minimum_fen", "最低消费补足", s["minimum_fen"], F),
        Figure("service_fen", "服务费", s["service_fen"], F),
        Figure("comp_fen", "赠送 (按售价)", s["comp_fen"], F),
        Figure("comp_cost_fen", "赠送 (按成本, 已知成本部分)", s["comp_cost_fen"], F),
        Figure("cost_of_sales_fen", "商品销售成本 (已知成本部分)", cost_of_sales, F),
        Figure("package_items_cost_fen", "套餐子物品 (按成本)", package_cost, F),
        Figure("discount_fen", "折扣", s["discount_fen"], F),
        Figure("rounding_fen", "抹零", s["rounding_fen"], F),
        Figure("refund_fen", "退款", refunds, F),
        Figure("stored_value_spend_fen", "储值消费", sv_spend, F),
        Figure("topup_principal_fen", "储值充值 (本金, 负债)", topup_p, F),
        Figure("topup_bonus_fen", "储值赠送", topup_b, F),
        Figure("cash_out_fen", "储值退现", cash_out, F),
        Figure("bills", "账单数", bills, C),
        Figure("sessions", "开台数 (房次)", sessions, C),
        Figure("guests", "人数", guests, C),
        Figure("stay_s", "总时长", stay, S),
        Figure("rooms", "房间数", f.rooms, C),
        Figure("days", "营业日数", n_days, C),
        Figure("average_bill_fen", "客单价 (每单)", _div(s["revenue_fen"], bills), F),
        Figure("average_guest_fen", "人均消费", _div(s["revenue_fen"], guests), F),
        Figure("average_stay_s", "平均时长", _div(stay, sessions), S),
        Figure("utilisation_bp", "开房率", _bp(sessions, f.rooms * n_days), BP),
        Figure("discount_rate_bp", "折扣率", _bp(s["discount_fen"], gross), BP),
        Figure("comp_rate_bp", "赠送率 (售价)", _bp(s["comp_fen"], gross), BP),
        Figure("comp_cost_rate_bp", "赠送率 (成本)", _bp(s["comp_cost_fen"], gross), BP),
    ]


ADDITIVE = [
    "revenue_fen",
    "takings_fen",
    "deferred_fen",
    "non_revenue_fen",
    "tendered_fen",
    "stored_wine_served",
    "stored_wine_value_fen",
    "stored_wine_cost_fen",
    "gross_fen",
    "room_time_fen",
    "package_fen",
    "fee_fen",
    "products_fen",
    "minimum_fen",
    "service_fen",
    "comp_fen",
    "comp_cost_fen",
    "cost_of_sales_fen",
    "package_items_cost_fen",
    "discount_fen",
    "rounding_fen",
    "refund_fen",
    "stored_value_spend_fen",
    "topup_principal_fen",
    "topup_bonus_fen",
    "cash_out_fen",
    "bills",
    "sessions",
    "guests",
    "stay_s",
    "days",
]


def _revenue_section(figs: Mapping[str, int], lines: Sequence[LineFact]) -> Section:
    by_cat: dict[str, int] = defaultdict(int)
    for ln in lines:
        by_cat[ln.category] += ln.amount_fen
    rows: list[tuple[str, str, int]] = [
        ("room_time", CATEGORY_LABELS["room_time"], figs["room_time_fen"]),
        ("packages", CATEGORY_LABELS["packages"], figs["package_fen"]),
        ("fees", CATEGORY_LABELS["fees"], figs["fee_fen"]),
    ]
    for cat in sorted(by_cat):
        rows.append((cat, CATEGORY_LABELS.get(cat, cat), by_cat[cat]))
    rows += [
        ("minimum", CATEGORY_LABELS["minimum"], figs["minimum_fen"]),
        ("service", CATEGORY_LABELS["service"], figs["service_fen"]),
        ("gross", "应收合计 (折前)", figs["gross_fen"]),
        ("comps", "赠送", -figs["comp_fen"]),
        ("discounts", "折扣", -figs["discount_fen"]),
        ("rounding", "抹零", figs["rounding_fen"]),
        ("revenue", "营业额", figs["revenue_fen"]),
    ]
    return Section(
        "revenue",
        "营业收入 (按类别)",
        (Column("key", "代码"), Column("category", "类别"), Column("amount_fen", "金额", Unit.FEN)),
        tuple(rows),
    )


def _tender_sections(payments: Sequence[PaymentFact]) -> list[Section]:
    taken: dict[str, int] = defaultdict(int)
    back: dict[str, int] = defaultdict(int)
    count: dict[str, int] = defaultdict(int)
    for p in payments:
        if p.amount_fen >= 0:
            taken[p.tender] += p.amount_fen
            count[p.tender] += p.count
        else:
            back[p.tender] += p.amount_fen
    order = {c: i for i, c in enumerate(TenderClass)}
    codes = sorted(set(taken) | set(back), key=lambda t: (order[_class(t)], t))
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
            Column("net_fen", "净额", Unit.FEN),
        ),
        tuple(
            (
                t,
                tender_label(t),
                CLASS_LABELS[_class(t)],
                count[t],
                taken[t],
                back[t],
                taken[t] + back[t],
            )
            for t in codes
        ),
    )
    by_class: dict[TenderClass, int] = {c: 0 for c in TenderClass}
    for t in codes:
        by_class[_class(t)] += taken[t] + back[t]
    classes = Section(
        "tender_classes",
        "按收款类别",
        (Column("class", "代码"), Column("label", "类别"), Column("net_fen", "净额", Unit.FEN)),
        tuple((c.value, CLASS_LABELS[c], by_class[c]) for c in TenderClass),
    )
    per_staff: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for p in payments:
        acc = per_staff[p.staff_id]
        acc[0 if _class(p.tender) is TenderClass.REVENUE else 1] += p.amount_fen
        acc[2] += p.count
        if p.tender == "cash":
            acc[3] += p.amount_fen
    operators = Section(
        "operators",
        "按收银员",
        (
            Column("staff_id", "员工"),
            Column("payments", "笔数", Unit.COUNT),
            Column("takings_fen", "实收", Unit.FEN),
            Column("other_fen", "非实收", Unit.FEN),
            Column("cash_fen", "其中现金", Unit.FEN),
        ),
        tuple((s, a[2], a[0], a[1], a[3]) for s, a in sorted(per_staff.items())),
    )
    return [tenders, classes, operators]


def _product_sections(f: Facts, top_n: int) -> list[Section]:
    # qty, amount, comped qty, comped fen, included qty, costed qty, sold cost, comped cost,
    # included cost
    per_sku: dict[str, list[int]] = defaultdict(lambda: [0] * 9)
    names: dict[str, tuple[str, str]] = {}
    per_cat: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    per_tier: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for ln in f.lines:
        acc = per_sku[ln.sku]
        acc[0] += ln.quantity
        acc[1] += ln.amount_fen
        acc[2] += ln.comped_quantity
        acc[3] += ln.comped_fen
        acc[4] += ln.included_quantity
        acc[5] += ln.costed_quantity
        acc[6] += ln.sold_cost_fen
        acc[7] += ln.comped_cost_fen
        acc[8] += ln.included_cost_fen
        names[ln.sku] = (ln.name, ln.category)
        cat = per_cat[ln.category]
        cat[0] += ln.quantity
        cat[1] += ln.amount_fen
        cat[2] += ln.comped_quantity
        cat[3] += ln.comped_fen
        tier = per_tier[(ln.tier, ln.sku)]
        tier[0] += ln.quantity
        tier[1] += ln.amount_fen - ln.comped_fen
    for sku, p in f.menu.items():
        names.setdefault(sku, (p.name, p.category))
        per_sku.setdefault(sku, [0] * 9)

    def row(sku: str) -> tuple[object, ...]:
        qty, amount, cq, cf, iq, costed, cost, comp_cost, inc_cost = per_sku[sku]
        name, cat = names[sku]
        sold = amount - cf
        # a margin only where every unit charged has its cost (a service has none)
        known = costed > 0 and costed == qty
        margin: int | str = sold - cost if known else ""
        cost_cell: int | str = cost if known else ""
        comp_cell: int | str = comp_cost if known else ""
        inc_cell: int | str = inc_cost if inc_cost or (known and iq) else ""
        return (
            sku,
            name,
            CATEGORY_LABELS.get(cat, cat),
            qty,
            sold,
            cq,
            cf,
            iq,
            cost_cell,
            margin,
            comp_cell,
            inc_cell,
        )

    cols = (
        Column("sku", "编码"),
        Column("name", "商品"),
        Column("category", "类别"),
        Column("quantity", "数量", Unit.COUNT),
        Column("revenue_fen", "销售额 (不含赠送)", Unit.FEN),
        Column("comped_quantity", "赠送数量", Unit.COUNT),
        Column("comped_fen", "赠送金额", Unit.FEN),
        Column("included_quantity", "套餐内数量", Unit.COUNT),
        Column("cost_fen", "销售成本", Unit.FEN),
        Column("margin_fen", "毛利 (已知成本)", Unit.FEN),
        Column("comped_cost_fen", "赠送成本", Unit.FEN),
        Column("included_cost_fen", "套餐内成本", Unit.FEN),
    )
    best = sorted(per_sku, key=lambda s: (-per_sku[s][0], -per_sku[s][1], s))
    slow = sorted(per_sku, key=lambda s: (per_sku[s][0], per_sku[s][1], s))
    return [
        Section(
            "categories",
            "商品类别",
            (
                Column("category", "代码"),
                Column("label", "类别"),
                Column("quantity", "数量", Unit.COUNT),
                Column("amount_fen", "金额 (售价)", Unit.FEN),
                Column("comped_quantity", "赠送数量", Unit.COUNT),
                Column("comped_fen", "赠送金额", Unit.FEN),
            ),
            tuple((c, CATEGORY_LABELS.get(c, c), *v) for c, v in sorted(per_cat.items())),
        ),
        Section("best_sellers", "畅销排行", cols, tuple(row(s) for s in best[:top_n])),  # type: ignore[arg-type]
        Section("slow_movers", "滞销商品", cols, tuple(row(s) for s in slow[:top_n])),  # type: ignore[arg-type]
        Section(
            "products_by_tier",
            "商品按房型",
            (
                Column("tier", "房型"),
                Column("sku", "编码"),
                Column("name", "商品"),
                Column("quantity", "数量", Unit.COUNT),
                Column("revenue_fen", "销售额 (不含赠送)", Unit.FEN),
            ),
            tuple(
                (t, s, names[s][0], v[0], v[1])
                for (t, s), v in sorted(per_tier.items(), key=lambda kv: (kv[0][0], -kv[1][0]))
            ),
        ),
    ]


def _room_fee_section(bills: Sequence[BillFact]) -> Section:
    acc: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for b in bills:
        a = acc[(b.tier, b.band)]
        a[0] += b.count
        a[1] += b.room_time_fen + b.package_fen
        a[2] += b.stay_s
        a[3] += b.total_fen
    return Section(
        "room_fees",
        "房费分析 (房型 x 时段)",
        (
            Column("tier", "房型"),
            Column("band", "开台时段"),
            Column("bills", "账单数", Unit.COUNT),
            Column("room_fee_fen", "房费+套餐", Unit.FEN),
            Column("average_room_fee_fen", "平均房费", Unit.FEN),
            Column("stay_s", "总时长", Unit.SECONDS),
            Column("revenue_fen", "营业额", Unit.FEN),
        ),
        tuple(
            (t, band, a[0], a[1], _div(a[1], a[0]), a[2], a[3])
            for (t, band), a in sorted(acc.items())
        ),
    )


def _rooms_section(rooms: Sequence[RoomFact]) -> Section:
    return Section(
        "rooms",
        "按房间",
        (
            Column("rooms", "房间"),
            Column("bills", "账单数", Unit.COUNT),
            Column("room_fee_fen", "房费+套餐", Unit.FEN),
            Column("revenue_fen", "营业额", Unit.FEN),
            Column("stay_s", "总时长", Unit.SECONDS),
        ),
        tuple((r.rooms, r.bills, r.room_fee_fen, r.revenue_fen, r.stay_s) for r in rooms),
    )


def _member_section(f: Facts) -> Section:
    issued = sum(p.points for p in f.points if p.points > 0)
    redeemed = -sum(p.points for p in f.points if p.kind == "redeem")
    expired = -sum(p.points for p in f.points if p.kind == "expire")
    topups = [t for t in f.topups if t.kind == "topup"]
    rows: list[tuple[str, str, int]] = [
        ("new_members", "新会员", f.members.new_members),
        ("topups", "充值笔数", len(topups)),
        ("topup_principal_fen", "充值本金", sum(t.principal_fen for t in topups)),
        ("topup_bonus_fen", "充值赠送", sum(t.bonus_fen for t in topups)),
        (
            "stored_value_spend_fen",
            "储值消费",
            sum(p.amount_fen for p in f.payments if p.tender == "stored_value"),
        ),
        ("points_issued", "积分发放", issued),
        ("points_redeemed", "积分兑换", redeemed),
        ("points_expired", "积分过期", expired),
    ]
    by_tender: dict[str, int] = defaultdict(int)
    for t in topups:
        by_tender[t.tender] += t.principal_fen
    for tender, amount in sorted(by_tender.items()):
        rows.append((f"topup_{tender}", f"充值 {tender_label(tender)}", amount))
    rows.append(("active", "活跃会员", sum(f.members.active_by_tier.values())))
    for tier, n in sorted(f.members.active_by_tier.items()):
        rows.append((f"active_{tier}", f"活跃会员 {tier}", n))
    for tag, n in sorted(f.members.active_by_tag.items()):
        rows.append((f"active_tag_{tag}", f"活跃会员 {TAG_LABELS.get(tag, tag)}", n))
    return Section(
        "members",
        "会员",
        (Column("key", "代码"), Column("label", "项目"), Column("value", "数值", Unit.COUNT)),
        tuple(rows),
    )


def _late_section(f: Facts) -> Section:
    rows: list[tuple[object, ...]] = []
    for b in f.bills:
        if b.origin_day != b.booked_day:
            rows.append(("bill", b.tab_id, b.origin_day.isoformat(), b.total_fen, ""))
    for p in f.payments:
        if p.origin_day != p.booked_day and p.amount_fen < 0:
            rows.append(("refund", p.tab_id, p.origin_day.isoformat(), p.amount_fen, p.reason))
    return Section(
        "late",
        "迟到项目 (属于已结日)",
        (
            Column("kind", "类型"),
            Column("bill", "账单"),
            Column("origin_day", "原营业日"),
            Column("amount_fen", "金额", Unit.FEN),
            Column("reason", "原因"),
        ),
        tuple(rows),  # type: ignore[arg-type]
    )


def _non_revenue_section(figs: Mapping[str, int]) -> Section:
    """Non-revenue given away outside any bill: expired stored wine served anyway (存酒), at
    list value and at cost. (招待 on a bill is a tender: see the tender classes.)"""
    return Section(
        "non_revenue_other",
        "非营收 (不经账单)",
        (
            Column("key", "代码"),
            Column("label", "项目"),
            Column("count", "数量", Unit.COUNT),
            Column("value_fen", "按售价", Unit.FEN),
            Column("cost_fen", "按成本", Unit.FEN),
        ),
        (
            (
                "stored_wine",
                "过期存酒招待",
                figs["stored_wine_served"],
                figs["stored_wine_value_fen"],
                figs["stored_wine_cost_fen"],
            ),
        ),
    )


def _energy_section(energy: Sequence[EnergyFact]) -> Section:
    C = Unit.COUNT
    return Section(
        "energy",
        "用电 (按房间, Wh)",
        (
            Column("room", "房间"),
            Column("total_wh", "合计", C),
            Column("session_wh", "开台中", C),
            Column("idle_wh", "空闲", C),
            Column("cleaning_wh", "清洁", C),
            Column("other_wh", "其他", C),
            Column("waste_wh", "无人浪费", C),
            Column("on_s", "通电时长", Unit.SECONDS),
            Column("metered", "电表"),
        ),
        tuple(
            (
                e.room,
                e.total_wh,
                e.session_wh,
                e.idle_wh,
                e.cleaning_wh,
                e.other_wh,
                e.waste_wh,
                e.on_s,
                "电表" if e.metered else "估算",
            )
            for e in energy
        ),
    )


def _open_section(open_bills: Sequence[OpenBill]) -> Section:
    return Section(
        "open_bills",
        "截止时仍未结账",
        (
            Column("bill", "账单"),
            Column("rooms", "房间"),
            Column("opened_at", "开台时间"),
            Column("running_total_fen", "当时金额", Unit.FEN),
            Column("paid_fen", "已付", Unit.FEN),
        ),
        tuple(
            (o.tab_id, o.rooms, o.opened_at.isoformat(), o.running_total_fen, o.paid_fen)
            for o in open_bills
        ),
    )


def build(
    f: Facts,
    kind: PeriodKind,
    *,
    previous: Facts | None = None,
    last_year: Facts | None = None,
    top_n: int = TOP_N,
) -> Report:
    """The report of ``f``'s days: headline figures, then the tables."""
    figures = headline(f)
    if kind is PeriodKind.DAY:
        figures += [
            Figure("open_bills", "截止时未结账单", len(f.open_bills), Unit.COUNT),
            Figure(
                "open_bills_fen", "未结账单金额", sum(o.running_total_fen for o in f.open_bills)
            ),
            Figure("energy_wh", "用电 (Wh)", sum(e.total_wh for e in f.energy), Unit.COUNT),
            Figure(
                "energy_waste_wh",
                "无人浪费用电 (Wh)",
                sum(e.waste_wh for e in f.energy),
                Unit.COUNT,
            ),
        ]
    figs = {x.key: x.value for x in figures}
    sections = [
        _revenue_section(figs, f.lines),
        *_tender_sections(f.payments),
        *_product_sections(f, top_n),
        _room_fee_section(f.bills),
        _rooms_section(f.by_room),
        _member_section(f),
        _late_section(f),
        _non_revenue_section(figs),
    ]
    if kind is PeriodKind.DAY:
        sections.append(_open_section(f.open_bills))
        sections.append(_energy_section(f.energy))
    else:
        sections.append(_trend_section(f, kind))
    if previous is not None or last_year is not None:
        sections.append(_compare_section(figs, previous, last_year))
    return Report(kind, f.first_day, f.last_day, tuple(figures), tuple(sections))


TREND_KEYS = ("revenue_fen", "takings_fen", "bills", "average_bill_fen", "utilisation_bp")


def _trend_section(f: Facts, kind: PeriodKind) -> Section:
    rows = []
    for label, first, last in sub_periods(kind, f.first_day, f.last_day):
        figs = {x.key: x.value for x in headline(f.within(first, last))}
        rows.append((label, *(figs[k] for k in TREND_KEYS)))
    return Section(
        "trend",
        "趋势",
        (
            Column("period", "期间"),
            Column("revenue_fen", "营业额", Unit.FEN),
            Column("takings_fen", "实收", Unit.FEN),
            Column("bills", "账单数", Unit.COUNT),
            Column("average_bill_fen", "客单价", Unit.FEN),
            Column("utilisation_bp", "开房率", Unit.BP),
        ),
        tuple(rows),
    )


COMPARE_KEYS = (
    "revenue_fen",
    "takings_fen",
    "bills",
    "guests",
    "average_bill_fen",
    "utilisation_bp",
)


def _compare_section(
    figs: Mapping[str, int], previous: Facts | None, last_year: Facts | None
) -> Section:
    prev = {x.key: x.value for x in headline(previous)} if previous else {}
    year = {x.key: x.value for x in headline(last_year)} if last_year else {}
    labels = {x.key: x.label for x in headline(Facts(date.min, date.min, 0))}
    rows = []
    for k in COMPARE_KEYS:
        now, p, y = figs[k], prev.get(k, 0), year.get(k, 0)
        rows.append(
            (k, labels[k], now, p, _bp(now - p, p) if p else "", y, _bp(now - y, y) if y else "")
        )
    return Section(
        "compare",
        "同比/环比",
        (
            Column("key", "代码"),
            Column("label", "指标"),
            Column("value", "本期"),
            Column("previous", "上期"),
            Column("vs_previous_bp", "环比", Unit.BP),
            Column("last_year", "去年同期"),
            Column("vs_last_year_bp", "同比", Unit.BP),
        ),
        tuple(rows),  # type: ignore[arg-type]
    )
