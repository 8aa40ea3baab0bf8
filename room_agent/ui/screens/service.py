"""Service: call the front desk (with its acknowledgement shown), drinks and snacks from the
controller's menu, my bill, member sign-in. Controller answers arrive off the UI thread; when
the controller cannot answer, the screen says so: never invented data."""

from __future__ import annotations

import uuid
from typing import Any

from kivy.app import App
from kivy.properties import DictProperty, ListProperty, StringProperty
from kivy.uix.screenmanager import Screen

from ktv.errors import KtvError, Unavailable
from room_agent.ui.formatting import masked_phone, yuan
from room_agent.ui.port import Bill, MemberCard, MenuItem, OrderReceipt

CALL_KINDS = ("service", "water", "microphone", "tissue")
SCENES = ("welcome", "singing", "party", "cleaning", "off")  # the lights button's cycle
PHONE_DIGITS = 11
PIN_DIGITS = 6


class ServiceScreen(Screen):
    tab = StringProperty("menu")  # "menu", "bill", "member"
    status = StringProperty("")  # the desk's answer or "unavailable" for the current tab
    call_status = StringProperty("")
    lines = ListProperty([])  # (label, amount text) rows for the menu or the bill
    cart = DictProperty({})  # sku -> quantity
    phone = StringProperty("")
    pin = StringProperty("")
    field = StringProperty("phone")  # which member field the keypad types into
    scene = StringProperty("")  # the room's lights: welcome, singing, party, cleaning, off

    def reset(self) -> None:
        self.tab = "menu"
        self.phone = ""
        self.pin = ""
        self.field = "phone"
        self.status = ""
        self.lines = []

    def on_pre_enter(self, *args: Any) -> None:
        self.show_tab(self.tab)
        self.refresh_calls()
        self.scene = App.get_running_app().room.scene()

    # --- the room's lights ---------------------------------------------------------------

    def next_scene(self) -> None:
        """One button cycles the guests' scenes (迎宾 → 唱歌 → 派对 → 清洁 → 关闭)."""
        app = App.get_running_app()
        current = self.scene if self.scene in SCENES else SCENES[-1]
        wanted = SCENES[(SCENES.index(current) + 1) % len(SCENES)]
        shown: list[str] = []
        if app.guarded(lambda: shown.append(app.room.choose_scene(wanted))):
            self.scene = shown[0]

    # --- service calls -------------------------------------------------------------------

    def call(self, kind: str) -> None:
        app = App.get_running_app()
        app.guarded(lambda: app.room.call_service(kind))
        self.refresh_calls()

    def refresh_calls(self) -> None:
        app = App.get_running_app()
        calls = app.room.service_calls()
        if not calls:
            self.call_status = ""
            return
        last = calls[-1]
        self.call_status = app.t("service_acked" if last.acknowledged else "service_sent")
        if last.acknowledged and last.acknowledged_by:
            self.call_status += f" · {last.acknowledged_by}"

    # --- controller-backed tabs ------------------------------------------------------------

    def show_tab(self, tab: str) -> None:
        self.tab = tab
        self.lines = []
        app = App.get_running_app()
        if tab == "member":
            self.status = ""
            return
        self.status = app.t("loading")
        work = app.desk.menu if tab == "menu" else app.desk.bill
        app.run_async(work, lambda result, error: self._answered(tab, result, error))

    def _answered(self, tab: str, result: Any, error: Exception | None) -> None:
        if tab != self.tab:
            return
        app = App.get_running_app()
        if error is not None:
            self.status = self._error_text(error)
            return
        self.status = ""
        if tab == "menu":
            self.menu_items: tuple[MenuItem, ...] = result
            self.lines = [
                (item.name, yuan(item.price_fen), item.sku, item.sold_out) for item in result
            ]
        elif tab == "bill":
            bill: Bill = result
            self.lines = [(line.label, yuan(line.amount_fen), "", False) for line in bill.lines]
            self.lines.append((app.t("total"), yuan(bill.total_fen), "", False))
            if bill.paid_fen:
                self.lines.append((app.t("paid"), yuan(bill.paid_fen), "", False))
                due = bill.total_fen - bill.paid_fen if bill.due_fen is None else bill.due_fen
                self.lines.append((app.t("due"), yuan(due), "", False))

    @staticmethod
    def _error_text(error: Exception) -> str:
        app = App.get_running_app()
        if isinstance(error, Unavailable) or not isinstance(error, KtvError):
            return app.t("unavailable")
        return error.message

    def order(self, sku: str) -> None:
        app = App.get_running_app()
        request_id = str(uuid.uuid4())
        app.run_async(
            lambda: app.desk.order(((sku, 1),), request_id),
            lambda result, error: app.show_toast(
                self._error_text(error) if error else self._receipt_text(result)
            ),
        )

    def _receipt_text(self, receipt: OrderReceipt) -> str:
        """The receipt the screen shows: what was ordered and what it adds to the bill."""
        app = App.get_running_app()
        names = {item.sku: item.name for item in getattr(self, "menu_items", ())}
        what = ", ".join(f"{names.get(sku, sku)} x{qty}" for sku, qty in receipt.items)
        text = f"{app.t('ordered')}: {what}"
        if receipt.amount_fen:
            text += f"  {yuan(receipt.amount_fen)}"
        if receipt.bill_total_fen:
            text += f"  ({app.t('total')} {yuan(receipt.bill_total_fen)})"
        return text

    # --- member sign-in -------------------------------------------------------------------

    def keypad(self, key: str) -> None:
        value, limit = (
            (self.phone, PHONE_DIGITS) if self.field == "phone" else (self.pin, PIN_DIGITS)
        )
        if key == "back":
            value = value[:-1]
        elif key.isdigit() and len(value) < limit:
            value += key
        if self.field == "phone":
            self.phone = value
        else:
            self.pin = value

    def sign_in(self) -> None:
        app = App.get_running_app()
        phone, pin = self.phone, self.pin
        self.status = app.t("loading")
        app.run_async(lambda: app.desk.member_sign_in(phone, pin), self._signed_in)

    def _signed_in(self, card: MemberCard | None, error: Exception | None) -> None:
        app = App.get_running_app()
        self.pin = ""
        if error is not None or card is None:
            self.status = self._error_text(error or Unavailable("no answer"))
            return
        self.status = (
            f"{masked_phone(self.phone)}  {card.tier}\n"
            f"{app.t('points')}: {card.points}   {app.t('balance')}: {yuan(card.balance_fen)}"
        )
