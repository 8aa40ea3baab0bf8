"""Billing's stored-value tender: a :class:`controller.billing.payments.PaymentProvider`.

Billing calls ``charge`` inside its own SQLite transaction on the same store, so the bill's
payment event and the ledger debit commit together or not at all.

- pay: ``Charge.reference`` is ``MEMBER:PIN`` (MEMBER = phone, card number or member id;
  a room device's call: the phone only, and a stranger's phone answers like a wrong PIN);
  the receipt's reference is ``m-…#ENTRY`` (no PIN is ever written to the bill);
- refund (negative amount, reference ``m-…#ENTRY``): principal and bonus go back as taken;
- void (negative amount, key ``…:void``, when a later tender of the split fails): the
  debit made under the original key is given back in full.
"""

from __future__ import annotations

from controller.auth.interceptor import optional_principal
from controller.billing.payments import Charge, Receipt
from controller.members.desk import MemberDesk
from ktv.errors import InvalidArgument, NotFound

VOID_SUFFIX = ":void"


class StoredValueProvider:
    name = "stored_value"

    def __init__(self, desk: MemberDesk) -> None:
        self.desk = desk

    def charge(self, charge: Charge) -> Receipt:
        if charge.amount_fen > 0:
            return self._pay(charge)
        if charge.idempotency_key.endswith(VOID_SUFFIX):
            original = charge.idempotency_key.removesuffix(VOID_SUFFIX)
            found = self.desk.records.entry_by_request(original)
            if found is None:
                raise NotFound(f"nothing was charged under {original}", reason="UNKNOWN_ENTRY")
            paid = found[0]
            entry_id = paid.entry_id
        else:
            entry_id = _entry_id(charge.reference)
            paid = self.desk.records.entry(entry_id)
        back = self.desk.refund_payment(
            entry_id, -charge.amount_fen, request_id=charge.idempotency_key
        )
        return Receipt(self.name, f"{paid.member_id}#{back.entry_id}")

    def authorize(self, reference: str) -> None:
        """The member and PIN (with its lockout) of ``MEMBER:PIN``, checked before billing
        prices anything; ``charge`` checks them again when it takes the money."""
        who, pin = _member_and_pin(reference)
        if _room_device():
            self.desk.check_phone_pin(who, pin)  # the same uniform answer as paying
            return
        self.desk.check_pin(self.desk.resolve(who).member_id, pin)

    def _pay(self, charge: Charge) -> Receipt:
        who, pin = _member_and_pin(charge.reference)
        if _room_device():
            # a room's screen: strangers' phones answer like wrong PINs (no enumeration)
            entry = self.desk.pay_by_phone(
                who, pin, charge.amount_fen, request_id=charge.idempotency_key, bill=charge.bill
            )
            return Receipt(self.name, f"{entry.member_id}#{entry.entry_id}")
        member = self.desk.resolve(who)
        entry = self.desk.pay(
            member.member_id,
            pin,
            charge.amount_fen,
            request_id=charge.idempotency_key,
            bill=charge.bill,
        )
        return Receipt(self.name, f"{member.member_id}#{entry.entry_id}")


def _room_device() -> bool:
    """True when the call comes from a room's screen (or anyone who is not staff)."""
    caller = optional_principal()
    return caller is not None and not caller.role.is_staff


def _member_and_pin(reference: str) -> tuple[str, str]:
    who, sep, pin = reference.rpartition(":")
    if not sep or not who.strip():
        raise InvalidArgument(
            "stored value: give the member and PIN as the reference (MEMBER:PIN)",
            reason="MEMBER_REQUIRED",
        )
    return who.strip(), pin.strip()


def _entry_id(reference: str) -> int:
    _, sep, number = reference.rpartition("#")
    if not sep or not number.isdigit():
        raise InvalidArgument(
            f"stored value: {reference!r} is not a member payment reference",
            reason="BAD_REFERENCE",
        )
    return int(number)
