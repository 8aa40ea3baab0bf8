"""The front desk until the controller's billing, menu and membership APIs exist: every call
says so (``Unavailable``) and the service screen shows "unavailable", never invented data."""

from __future__ import annotations

from ktv.errors import Unavailable
from room_agent.ui.port import Bill, MemberCard, MenuItem, OrderReceipt


class UnavailableFrontDesk:
    """A ``FrontDesk`` for a controller without billing/membership APIs (or none at all)."""

    def __init__(self, reason: str = "the controller's billing API is not available") -> None:
        self.reason = reason

    def menu(self) -> tuple[MenuItem, ...]:
        raise Unavailable(self.reason)

    def order(self, items: tuple[tuple[str, int], ...], request_id: str) -> OrderReceipt:
        raise Unavailable(self.reason)

    def bill(self) -> Bill:
        raise Unavailable(self.reason)

    def member_sign_in(self, phone: str, pin: str) -> MemberCard:
        raise Unavailable(self.reason)
