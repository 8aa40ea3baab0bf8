"""The venue config file's ``[pricing]`` and ``[[menu]]`` sections -> PricePlan and products.

Money is written in yuan as a string ("36.50") or whole yuan (36), never as a float; see
``examples/venue.toml`` and docs/billing.md. Every mistake is an InvalidArgument naming the key.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import date, time
from typing import Any

from controller.billing.clock import VenueClock
from controller.billing.desk import Product
from controller.billing.money import RoundingRule, parse_yuan
from controller.billing.plan import (
    AfterCover,
    BlockRule,
    BonusRule,
    DayType,
    HolidayCalendar,
    IncludedItem,
    MinimumSpendBasis,
    Package,
    PricePlan,
    SessionSlot,
    TierChange,
    TierPrices,
    TimeBand,
)
from ktv.errors import InvalidArgument
from ktv.limits import PrepaidLimits
from ktv.text import half_width_digits, short

WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


def parse_toml(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidArgument(f"venue config is not valid TOML: {error}") from None


def _money(value: object, where: str) -> int:
    if isinstance(value, bool | float):
        raise InvalidArgument(f"{where}: write money as whole yuan (36) or a string ('36.50')")
    if isinstance(value, int):
        if value < 0:
            raise InvalidArgument(f"{where}: negative amount")
        return value * 100
    if isinstance(value, str):
        value = half_width_digits(value[:64])
        if len(value) > 32 or not value.isascii():  # '²'.isdigit() is True, int('²') fails
            raise InvalidArgument(f"{where}: not an amount in yuan: {short(value)}")
        fen = parse_yuan(value)
        if fen < 0:
            raise InvalidArgument(f"{where}: negative amount")
        return fen
    raise InvalidArgument(f"{where}: not an amount: {value!r}")


def _time(value: object, where: str) -> time:
    try:
        hh, mm = str(value).split(":")
        h, m = int(hh), int(mm)
        return time(0 if h == 24 else h, m)
    except ValueError:
        raise InvalidArgument(f"{where}: not a time HH:MM: {value!r}") from None


def _enum(cls: Any, value: object, where: str) -> Any:
    try:
        return cls(value)
    except ValueError:
        names = ", ".join(m.value for m in cls)
        raise InvalidArgument(f"{where}: {value!r} is not one of {names}") from None


def _table(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise InvalidArgument(f"{where}.{key} must be a table")
    return value


def _band_table(data: Mapping[str, Any], where: str) -> dict[tuple[DayType, str], int]:
    out = {}
    for day_type, bands in data.items():
        dt = _enum(DayType, day_type, where)
        if not isinstance(bands, Mapping):
            raise InvalidArgument(f"{where}.{day_type} must be a table of band = amount")
        for band, amount in bands.items():
            out[(dt, band)] = _money(amount, f"{where}.{day_type}.{band}")
    return out


def _prices(data: Mapping[str, Any], where: str) -> dict[str, int]:
    return {k: _money(v, f"{where}.{k}") for k, v in data.items()}


def plan_from_config(data: Mapping[str, Any]) -> PricePlan:
    venue = _table(data, "venue", "")
    p = data.get("pricing")
    if not isinstance(p, Mapping):
        raise InvalidArgument("the venue config has no [pricing] section")
    clock = VenueClock(
        str(venue.get("timezone", "Asia/Shanghai")),
        _time(venue.get("business_day_starts", "10:00"), "venue.business_day_starts"),
    )
    calendar = HolidayCalendar(
        weekend_days=frozenset(
            WEEKDAYS[_enum_key(d)] for d in p.get("weekend_days", ["sat", "sun"])
        ),
        holidays=frozenset(_date(d, "pricing.holidays") for d in p.get("holidays", [])),
        workdays=frozenset(_date(d, "pricing.workdays") for d in p.get("workdays", [])),
    )
    bands = tuple(
        TimeBand(
            str(b["code"]),
            str(b.get("label", b["code"])),
            _time(b["start"], "band.start"),
            _time(b["end"], "band.end"),
        )
        for b in p.get("bands", [])
    )
    tiers = {}
    for name, t in _table(p, "tiers", "pricing").items():
        where = f"pricing.tiers.{name}"
        tiers[name] = TierPrices(
            hourly_fen=_band_table(_table(t, "hourly", where), f"{where}.hourly"),
            minimum_spend_fen=_band_table(
                _table(t, "minimum_spend", where), f"{where}.minimum_spend"
            ),
            head_fee_fen=_band_table(_table(t, "head_fee", where), f"{where}.head_fee"),
            product_fen=_prices(_table(t, "products", where), f"{where}.products"),
        )
    blocks = _table(p, "blocks", "pricing")
    limits = _limits(_table(p, "limits", "pricing"))
    bonus = _table(p, "bonus", "pricing")
    packages = {}
    for k in p.get("packages", []):
        where = f"pricing.packages.{k.get('code', '?')}"
        packages[str(k["code"])] = Package(
            code=str(k["code"]),
            label=str(k.get("label", k["code"])),
            minutes=int(k["minutes"]),
            price_fen=_prices(k.get("price", {}), f"{where}.price"),
            bands=frozenset(k.get("bands", [])),
            day_types=frozenset(_enum(DayType, d, where) for d in k.get("day_types", [])),
            items=tuple(
                IncludedItem(str(i["sku"]), int(i.get("quantity", 1))) for i in k.get("items", [])
            ),
        )
    slots = tuple(
        SessionSlot(
            code=str(s["code"]),
            label=str(s.get("label", s["code"])),
            start=_time(s["start"], "session.start"),
            end=_time(s["end"], "session.end"),
            price_fen=_prices(s.get("price", {}), f"pricing.sessions.{s['code']}.price"),
            day_types=frozenset(_enum(DayType, d, "session") for d in s.get("day_types", [])),
            after=_enum(AfterCover, s.get("after", "require_renewal"), "session.after"),
        )
        for s in p.get("sessions", [])
    )
    try:
        return PricePlan(
            version=str(p.get("version", "")),
            bands=bands,
            tiers=tiers,
            clock=clock,
            calendar=calendar,
            blocks=BlockRule(**{k: int(v) for k, v in blocks.items()}),
            service_charge_bp=int(p.get("service_charge_bp", 0)),
            rounding=_enum(RoundingRule, p.get("rounding", "none"), "pricing.rounding"),
            minimum_basis=_enum(
                MinimumSpendBasis,
                p.get("minimum_spend_basis", "room_and_orders"),
                "pricing.minimum_spend_basis",
            ),
            packages=packages,
            slots=slots,
            bonus=BonusRule(int(bonus["every_minutes"]), int(bonus["bonus_minutes"]))
            if bonus
            else None,
            after_prepaid=_enum(
                AfterCover, p.get("after_prepaid", "continue_hourly"), "pricing.after_prepaid"
            ),
            tier_change=_enum(
                TierChange, p.get("tier_change", "charge_difference"), "pricing.tier_change"
            ),
            limits=limits,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidArgument(f"bad [pricing] section: {error}") from None


def _limits(data: Mapping[str, Any]) -> PrepaidLimits:
    """``[pricing.limits]``: session_max_minutes, purchase_max_minutes (ktv.limits' defaults)."""
    known = {"session_max_minutes", "purchase_max_minutes"}
    for key, value in data.items():
        if key not in known:
            raise InvalidArgument(f"pricing.limits.{key}: unknown key (known: {sorted(known)})")
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidArgument(f"pricing.limits.{key}: write a whole number of minutes")
    try:
        return PrepaidLimits(**data)
    except InvalidArgument as error:
        raise InvalidArgument(f"pricing.limits: {error.message}", reason=error.reason) from None


def _enum_key(value: object) -> str:
    key = str(value).lower()[:3]
    if key not in WEEKDAYS:
        raise InvalidArgument(f"pricing.weekend_days: {value!r} is not a weekday name")
    return key


def _date(value: object, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidArgument(f"{where}: not a date YYYY-MM-DD: {value!r}") from None


def menu_from_config(data: Mapping[str, Any]) -> list[Product]:
    products = []
    for m in data.get("menu", []):
        sku = str(m.get("sku", ""))
        if not sku:
            raise InvalidArgument("menu item without a sku")
        products.append(
            Product(
                sku,
                str(m.get("name", sku)),
                str(m.get("category", "")),
                _money(m.get("price", 0), f"menu.{sku}.price"),
                bool(m.get("available", True)),
            )
        )
    return products


def load_plan_text(text: str) -> PricePlan:
    """A PricePlan from the text of a venue config file."""
    try:
        return plan_from_config(parse_toml(text))
    except KeyError as error:
        raise InvalidArgument(f"bad [pricing] section: missing {error}") from None
