"""The front desk of a room that is not enrolled (an offline demo, a bench setup): every call
says so (``Unavailable``) and the service screen shows "unavailable", never invented data.
An enrolled room talks to the controller through ``room_agent.link.front_desk``."""

from __future__ import annotations

from ktv.errors import Unavailable
from room_agent.ui.port import (
    Bill,
    ExtendOption,
    ExtendReceipt,
    MemberCard,
    MenuItem,
    OrderReceipt,
)


class UnavailableFrontDesk:
    """A ``FrontDesk`` for a room with no controller to ask."""

    def __init__(self, reason: str = "this room is not enrolled with a controller") -> None:
        self.reason = reason

    def menu(self) -> tuple[MenuItem, ...]:
        raise Unavailable(self.reason)

    def order(self, items: tuple[tuple[str, int], ...], request_id: str) -> OrderReceipt:
        raise Unavailable(self.reason)

    def bill(self) -> Bill:
        raise Unavailable(self.reason)

    def member_sign_in(self, phone: str, pin: str) -> MemberCard:
        raise Unavailable(self.reason)

    def extend_options(self) -> tuple[ExtendOption, ...]:
        raise Unavailable(self.reason)

    def extend_from_balance(
        self, option: ExtendOption, phone: str, pin: str, request_id: str
    ) -> ExtendReceipt:
        raise Unavailable(self.reason)
