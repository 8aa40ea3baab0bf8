"""存酒/取酒 at the desk: a guest's unfinished bottles stored under a phone (a member's, when
the phone is one), withdrawn in parts, reminded before expiry through the members'
notifications outbox, and at expiry an explicit action: extend, forfeit (into the venue's
stock at cost) or serve anyway (non-revenue: billing has no 存酒 tender, so the serving is
recorded here, in ``inventory_bottle_events``). A stored bottle never touches a bill.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from controller.billing.records import Actor, new_id
from controller.inventory.desk import StockDesk, require_manager
from controller.inventory.model import (
    Batch,
    DocumentKind,
    StockItem,
    StockLine,
    check_location,
    parse_quantity,
)
from controller.inventory.storage_rules import (
    BottleStatus,
    CheckResult,
    ExpiryAction,
    check_shelves,
)
from controller.members.model import check_phone
from controller.members.notices import member_of_phone, queue_for_phone
from ktv.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from ktv.text import bounded, short

REMINDER_TEMPLATE = "storage_expiring"
LABEL_MAX_CHARS = 32


@dataclass(frozen=True)
class StoredBottle:
    bottle_id: str
    label_code: str
    phone: str
    member_id: str
    item_id: str
    item_name: str
    remaining: int
    unit: str
    opened: bool
    location: str
    stored_at: datetime
    expires_on: date
    status: BottleStatus


class BottleStorage:
    def __init__(self, desk: StockDesk) -> None:
        self.desk = desk
        self.store = desk.store
        self.records = desk.records

    @property
    def rules(self):  # type: ignore[no-untyped-def]
        return self.desk.config.storage

    def _bottle(self, r: dict) -> StoredBottle:  # type: ignore[type-arg]
        return StoredBottle(
            r["bottle_id"],
            r["label_code"],
            r["phone"],
            r["member_id"],
            r["item_id"],
            r["name"],
            r["remaining"],
            r["base_unit"],
            bool(r["opened"]),
            r["location"],
            datetime.fromisoformat(r["stored_at"]),
            date.fromisoformat(r["expires_on"]),
            BottleStatus(r["status"]),
        )

    _SELECT = (
        "SELECT b.*, i.name, i.base_unit FROM inventory_bottles b"
        " JOIN inventory_items i USING (item_id)"
    )

    def get(self, label_code: str) -> StoredBottle:
        row = self.store.query_one(f"{self._SELECT} WHERE b.label_code = ?", (label_code,))
        if row is None:
            raise NotFound(
                f"no stored bottle labelled {short(label_code)}", reason="UNKNOWN_BOTTLE"
            )
        return self._bottle(row)

    def of_phone(self, phone: str, *, stored_only: bool = True) -> list[StoredBottle]:
        phone = check_phone(phone)
        only = " AND b.status = 'stored'" if stored_only else ""
        return [
            self._bottle(r)
            for r in self.store.query(
                f"{self._SELECT} WHERE b.phone = ?{only} ORDER BY b.expires_on, b.label_code",
                (phone,),
            )
        ]

    def expiring(self, within_days: int) -> list[StoredBottle]:
        until = self.desk.today() + timedelta(days=within_days)
        return [
            self._bottle(r)
            for r in self.store.query(
                f"{self._SELECT} WHERE b.status = 'stored' AND b.expires_on <= ?"
                " ORDER BY b.expires_on, b.label_code",
                (until.isoformat(),),
            )
        ]

    def _log(
        self,
        bottle_id: str,
        kind: str,
        qty: int,
        actor: Actor,
        note: str = "",
        doc_id: str = "",
        *,
        value_fen: int = 0,
        cost_fen: int = 0,
    ) -> None:
        self.store.execute(
            "INSERT INTO inventory_bottle_events (bottle_id, kind, quantity, at, staff_id, note,"
            " doc_id, value_fen, cost_fen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                bottle_id,
                kind,
                qty,
                self.desk.clock().isoformat(),
                actor.staff_id,
                note,
                doc_id,
                value_fen,
                cost_fen,
            ),
        )

    def list_value(self, item: StockItem, quantity: int) -> int:
        """What ``quantity`` base units of ``item`` sell for on the menu: the base price of a
        product made of this item alone (``quantity`` per its recipe), half up; 0 when no
        product sells the item on its own."""
        row = self.store.query_one(
            "SELECT p.base_fen, r.quantity FROM inventory_recipes r"
            " JOIN billing_products p ON p.sku = r.sku"
            " WHERE r.item_id = ? AND (SELECT COUNT(*) FROM inventory_recipes o"
            "  WHERE o.sku = r.sku) = 1 ORDER BY r.quantity, r.sku LIMIT 1",
            (item.item_id,),
        )
        if row is None:
            return 0
        per = int(row["quantity"])
        return (2 * quantity * int(row["base_fen"]) + per) // (2 * per)  # half up

    def deposit(
        self,
        phone: str,
        item_id: str,
        remaining: str,
        actor: Actor,
        *,
        opened: bool,
        location: str = "bar",
        label_code: str = "",
    ) -> StoredBottle:
        """存酒: the bottle's expiry from the venue's rule for its category (opened or sealed)."""
        phone = check_phone(phone)
        check_location(location)
        label = bounded(
            label_code, what="a label code", max_len=LABEL_MAX_CHARS, reason="BAD_LABEL"
        )
        now = self.desk.clock()
        with self.store.transaction():
            item = self.records.item(item_id)
            quantity = parse_quantity(remaining, item)
            label = label or _new_label(now)
            if self.store.query_one(
                "SELECT 1 FROM inventory_bottles WHERE label_code = ?", (label,)
            ):
                raise AlreadyExists(
                    f"label {short(label)} is on another bottle", reason="LABEL_TAKEN"
                )
            expires = self.rules.expires_on(item.storage_category, opened, self.desk.today(now))
            bottle_id = new_id("bottle")
            member = member_of_phone(self.store, phone)
            self.store.execute(
                "INSERT INTO inventory_bottles (bottle_id, label_code, phone, member_id, item_id,"
                " remaining, opened, location, stored_at, expires_on, status)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    bottle_id,
                    label,
                    phone,
                    member,
                    item.item_id,
                    quantity,
                    int(opened),
                    location,
                    now.isoformat(),
                    expires.isoformat(),
                    BottleStatus.STORED.value,
                ),
            )
            self._log(bottle_id, "deposit", quantity, actor)
        return self.get(label)

    def _stored(self, label_code: str) -> StoredBottle:
        bottle = self.get(label_code)
        if bottle.status is not BottleStatus.STORED:
            raise FailedPrecondition(
                f"bottle {label_code} is {bottle.status.value}", reason="BOTTLE_NOT_STORED"
            )
        return bottle

    def withdraw(self, label_code: str, quantity: str, actor: Actor) -> StoredBottle:
        """取酒 (in part): never more than is stored, never after expiry (act on it first)."""
        with self.store.transaction():
            bottle = self._stored(label_code)
            item = self.records.item(bottle.item_id)
            qty = parse_quantity(quantity, item)
            if qty > bottle.remaining:
                raise FailedPrecondition(
                    f"bottle {label_code} holds {bottle.remaining} {bottle.unit}; {qty} asked",
                    reason="INSUFFICIENT_STORED",
                )
            if bottle.expires_on < self.desk.today():
                raise FailedPrecondition(
                    f"bottle {label_code} expired on {bottle.expires_on}: extend, forfeit or"
                    " serve it first",
                    reason="BOTTLE_EXPIRED",
                )
            left = bottle.remaining - qty
            self.store.execute(
                "UPDATE inventory_bottles SET remaining = ?, status = ? WHERE bottle_id = ?",
                (
                    left,
                    (BottleStatus.STORED if left else BottleStatus.EMPTY).value,
                    bottle.bottle_id,
                ),
            )
            self._log(bottle.bottle_id, "withdraw", qty, actor)
        return self.get(label_code)

    def resolve(
        self, label_code: str, action: ExpiryAction, actor: Actor, *, days: int = 0, note: str = ""
    ) -> StoredBottle:
        """At (or after) expiry: extend by ``days`` (or the rule's days again), forfeit into
        stock at cost, or serve it anyway (non-revenue, recorded here)."""
        require_manager(actor, "acting on an expired bottle")
        note = bounded(note, what="a note", max_len=200)
        now = self.desk.clock()
        with self.store.transaction():
            bottle = self._stored(label_code)
            item = self.records.item(bottle.item_id)
            if action is ExpiryAction.EXTEND:
                if not 0 <= days <= 365:
                    raise InvalidArgument("extend by 1-365 days", reason="BAD_DURATION")
                add = days or self.rules.keep_days(item.storage_category, bottle.opened)
                start = max(bottle.expires_on, self.desk.today(now))
                self.store.execute(
                    "UPDATE inventory_bottles SET expires_on = ?, reminded_for = ''"
                    " WHERE bottle_id = ?",
                    ((start + timedelta(days=add)).isoformat(), bottle.bottle_id),
                )
                self._log(bottle.bottle_id, "extend", add, actor, note)
            elif action is ExpiryAction.FORFEIT:
                if bottle.expires_on >= self.desk.today(now):
                    raise FailedPrecondition(
                        f"bottle {label_code} keeps until {bottle.expires_on}",
                        reason="BOTTLE_NOT_EXPIRED",
                    )
                doc_id = ""
                if bottle.remaining:
                    batch = Batch(
                        new_id("batch"), item.item_id, label_code, None, now, item.unit_cost_fen
                    )
                    self.records.add_batch(batch)
                    line = StockLine(
                        item.item_id,
                        bottle.location,
                        batch.batch_id,
                        bottle.remaining,
                        item.unit_cost_fen,
                    )
                    doc_id = self.records.post(
                        DocumentKind.FORFEIT,
                        actor,
                        now,
                        [line],
                        location=bottle.location,
                        reason=f"存酒 {label_code} not collected",
                        ref=bottle.bottle_id,
                    )
                self._close(bottle, BottleStatus.FORFEITED)
                self._log(bottle.bottle_id, "forfeit", bottle.remaining, actor, note, doc_id)
            else:
                self._close(bottle, BottleStatus.SERVED)
                # non-revenue, reported apart: at list value and at cost, fixed now
                self._log(
                    bottle.bottle_id,
                    "serve",
                    bottle.remaining,
                    actor,
                    note or "non-revenue",
                    value_fen=self.list_value(item, bottle.remaining),
                    cost_fen=bottle.remaining * item.unit_cost_fen,
                )
        return self.get(label_code)

    def _close(self, bottle: StoredBottle, status: BottleStatus) -> None:
        self.store.execute(
            "UPDATE inventory_bottles SET status = ? WHERE bottle_id = ?",
            (status.value, bottle.bottle_id),
        )

    def remind(self) -> int:
        """Queue a reminder for each stored bottle within the reminder days of its expiry,
        once per expiry date (an extension reminds again). Bottles of a phone that is no
        member's are counted on the alert list instead (the desk calls)."""
        now = self.desk.clock()
        queued = 0
        with self.store.transaction():
            for bottle in self.expiring(self.rules.reminder_days):
                row = self.store.query_one(
                    "SELECT reminded_for FROM inventory_bottles WHERE bottle_id = ?",
                    (bottle.bottle_id,),
                )
                if row and row["reminded_for"] == bottle.expires_on.isoformat():
                    continue
                member = queue_for_phone(
                    self.store,
                    bottle.phone,
                    REMINDER_TEMPLATE,
                    {
                        "label": bottle.label_code,
                        "item": bottle.item_name,
                        "remaining": f"{bottle.remaining}{bottle.unit}",
                        "expires_on": bottle.expires_on.isoformat(),
                    },
                    now,
                )
                self.store.execute(
                    "UPDATE inventory_bottles SET reminded_for = ? WHERE bottle_id = ?",
                    (bottle.expires_on.isoformat(), bottle.bottle_id),
                )
                if member:
                    queued += 1
                    self.store.execute(
                        "INSERT INTO inventory_bottle_events (bottle_id, kind, at, staff_id)"
                        " VALUES (?, 'reminded', ?, 'controller')",
                        (bottle.bottle_id, now.isoformat()),
                    )
        return queued

    def check(self, labels_found: list[str], actor: Actor) -> CheckResult:
        """The monthly check: the shelves' labels against the register; bottles missing are
        marked missing (a manager decides what happened), extras are listed."""
        found = [
            bounded(x, what="a label code", max_len=LABEL_MAX_CHARS, reason="BAD_LABEL")
            for x in labels_found
        ]
        now = self.desk.clock()
        with self.store.transaction():
            registered = {
                r["label_code"]: r["bottle_id"]
                for r in self.store.query(
                    "SELECT label_code, bottle_id FROM inventory_bottles WHERE status = 'stored'"
                )
            }
            result = check_shelves(registered, found)
            for label in result.missing:
                self.store.execute(
                    "UPDATE inventory_bottles SET status = ? WHERE bottle_id = ?",
                    (BottleStatus.MISSING.value, registered[label]),
                )
                self._log(registered[label], "missing", 0, actor, "monthly check")
            self.store.execute(
                "INSERT INTO inventory_bottle_checks (check_id, at, staff_id, matched, missing,"
                " extra) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    new_id("check"),
                    now.isoformat(),
                    actor.staff_id,
                    len(result.matched),
                    json.dumps(result.missing),
                    json.dumps(result.extra),
                ),
            )
        return result

    def history(self, label_code: str) -> list[tuple[str, int, str]]:
        bottle = self.get(label_code)
        return [
            (r["kind"], r["quantity"], r["at"])
            for r in self.store.query(
                "SELECT kind, quantity, at FROM inventory_bottle_events WHERE bottle_id = ?"
                " ORDER BY event_id",
                (bottle.bottle_id,),
            )
        ]


def _new_label(now: datetime) -> str:
    return f"C{now.strftime('%y%m%d')}-{new_id('x')[-6:].upper()}"
