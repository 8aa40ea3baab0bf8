"""MemberDesk: the membership service. One SQLite transaction per action; gRPC, ktvctl,
billing's stored-value provider and tests all come through here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from controller.auth.lockout import member_subject, phone_subject
from controller.auth.model import pin_input
from controller.billing.payments import Charge, PaymentProvider
from controller.billing.records import Tender
from controller.members import wallet
from controller.members.model import (
    Balance,
    BonusOrder,
    EntryKind,
    LedgerEntry,
    Member,
    Tier,
    TopUpPromotion,
    card_number,
    check_card,
    check_name,
    check_phone,
    check_pin,
    phone_digits,
)
from controller.members.pin import UNIFORM_WRONG, PinGuard, new_pin_hash
from controller.members.records import MemberRecords, Mismatch, fingerprint, refund_reference
from controller.store.db import Store
from ktv.errors import AlreadyExists, InvalidArgument, NotFound, PermissionDenied
from ktv.limits import (
    CODE_MAX_CHARS,
    DEFAULT,
    FEN_MAX,
    NAME_MAX_CHARS,
    NOTE_MAX_CHARS,
    Limits,
    check_fen,
)
from ktv.text import bounded, short

TOPUP_TENDERS = tuple(t for t in Tender if t is not Tender.STORED_VALUE)
DEFAULT_PROMOTIONS = (TopUpPromotion(50_000, 10_000), TopUpPromotion(100_000, 25_000))


@dataclass(frozen=True)
class MemberPolicy:
    """Venue choices: top-up promotions and which money a payment spends first."""

    promotions: tuple[TopUpPromotion, ...] = DEFAULT_PROMOTIONS
    bonus_order: BonusOrder = BonusOrder.AFTER_PRINCIPAL


@dataclass
class MemberDesk:
    store: Store
    clock: Callable[[], datetime]
    policy: MemberPolicy = field(default_factory=MemberPolicy)
    # non-cash top-ups go through billing's payment providers (terminal, sandbox, gateways)
    providers: Mapping[Tender, PaymentProvider] = field(default_factory=dict)
    limits: Limits = DEFAULT  # the venue's bounds: top-up and balance maxima

    def __post_init__(self) -> None:
        self.records = MemberRecords(self.store)
        self.pins = PinGuard(self.store, self.clock)

    # --- members ----------------------------------------------------------------------------
    def register(
        self,
        phone: str,
        name: str,
        *,
        birthday: date | None = None,
        card_number: str = "",
        pin: str = "",
    ) -> Member:
        phone = check_phone(phone)
        name = check_name(name)
        card_number = check_card(card_number)
        if pin:
            pin = check_pin(pin)
        now = self.clock()
        with self.store.transaction():
            if self.records.by_phone(phone) is not None:
                raise AlreadyExists(f"phone {phone} is already a member", reason="PHONE_TAKEN")
            if card_number and self.records.by_card(card_number) is not None:
                raise AlreadyExists(f"card {card_number} is already in use", reason="CARD_TAKEN")
            member = Member(
                member_id=f"m-{uuid.uuid4().hex[:12]}",
                phone=phone,
                name=name,
                birthday=birthday,
                card_number=card_number,
                registered_at=now,
                balance=Balance(),
                points=0,
                tier=Tier.REGULAR,
                has_pin=False,
            )
            self.records.insert(member)
            if pin:
                self.records.set_pin(member.member_id, *new_pin_hash(pin))
            return self.records.get(member.member_id)

    def get(self, member_id: str) -> Member:
        return self.records.get(member_id)

    def find(self, query: str) -> list[Member]:
        """Lookup by member id, phone, card number (a card swipe) or name (prefix); phones
        and cards as stored (full-width digits typed by an IME find the same member)."""
        typed = (query or "").strip()  # names are stored as typed
        query = bounded(typed, what="member query", max_len=NAME_MAX_CHARS, reason="BAD_QUERY")
        if not query:
            raise InvalidArgument("look a member up by phone, card or name", reason="EMPTY_QUERY")
        if query.startswith("m-"):
            try:
                return [self.records.get(query)]
            except NotFound:
                return []
        digits = phone_digits(query)
        if digits is not None:
            found = self.records.by_phone(digits)
            if found is not None:
                return [found]
        card = self.records.by_card(card_number(query))
        if card is not None:
            return [card]
        return self.records.by_name(typed)

    def resolve(self, query: str) -> Member:
        """Exactly one member for ``query`` (phone, card, member id or an unambiguous name)."""
        found = self.find(query)
        if not found:
            raise NotFound(f"no member matches {short(query)}", reason="UNKNOWN_MEMBER")
        if len(found) > 1:
            raise InvalidArgument(
                f"{len(found)} members match {short(query)}: use the phone or card number",
                reason="AMBIGUOUS_MEMBER",
            )
        return found[0]

    def set_pin(self, member_id: str, pin: str, old_pin: str = "") -> Member:
        """Set the PIN; changing an existing PIN needs the old one."""
        salt_hash = new_pin_hash(pin)
        with self.store.transaction():
            stored = self.records.pin_of(member_id)
            if stored is not None:
                self.pins.check(member_id, old_pin, stored)
            self.records.set_pin(member_id, *salt_hash)
            return self.records.get(member_id)

    def check_pin(self, member_id: str, pin: str) -> None:
        self.pins.check(member_id, pin, self.records.pin_of(member_id))

    def sign_in(
        self, phone: str, pin: str, room_id: str, tab_id: str, *, uniform: bool = True
    ) -> Member:
        """A member signs in on the room's touchscreen and joins the room's session.

        ``uniform`` (room devices, anonymous callers): a stranger's phone, a wrong PIN and a
        member with no PIN give one answer at one cost, and a stranger's phone is counted
        towards a lock like a member's, so the screen cannot tell members from strangers.
        Staff (``uniform=False``) are told "no such member". Blocks for the hash (~50 ms)."""
        if uniform:
            member = self.check_phone_pin(phone, pin)
        else:
            phone = check_phone(phone)
            pin = pin_input(pin)
            found = self.records.by_phone(phone)
            if found is None:
                raise NotFound(f"no member with phone {phone}", reason="UNKNOWN_MEMBER")
            self.check_pin(found.member_id, pin)
            member = found
        with self.store.transaction():
            self.records.attach(tab_id, member.member_id, room_id, self.clock())
        return member

    def check_phone_pin(self, phone: str, pin: str) -> Member:
        """A room device's phone + PIN: a stranger's phone, a wrong PIN and a member with no PIN
        give one answer (PERMISSION_DENIED WRONG_PIN) at one hash's cost, and each counts
        towards a lock, so the screen cannot tell members from strangers."""
        phone = check_phone(phone)
        pin = pin_input(pin)
        member = self.records.by_phone(phone)
        if member is None:
            self.pins.check_uniform(phone_subject(phone), pin, None)
            raise PermissionDenied(UNIFORM_WRONG, reason="WRONG_PIN")  # check_uniform raised
        stored = self.records.pin_of(member.member_id)
        self.pins.check_uniform(member_subject(member.member_id), pin, stored)
        return member

    # --- stored value -----------------------------------------------------------------------
    def top_up(
        self,
        member_id: str,
        amount_fen: int,
        *,
        tender: str,
        request_id: str,
        reference: str = "",
        actor: str = "",
    ) -> LedgerEntry:
        """Money in (any tender) plus the promotion's bonus, tracked apart. A non-cash
        tender is charged through its payment provider first: declined, nothing is written;
        taken but the entry cannot be written, the charge is voided."""
        wallet.check_topup(amount_fen)
        check_fen(amount_fen, what="a top-up", max_fen=self.limits.topup_fen_max)
        reference = bounded(
            reference, what="the reference", max_len=CODE_MAX_CHARS, reason="BAD_REFERENCE"
        )
        paid_by = _topup_tender(tender)
        fp = fingerprint("topup", member_id, amount_fen, tender, reference)
        with self.store.transaction():
            done = self.records.replay(request_id, fp)
            if done is not None:
                return done
            balance = self.records.get(member_id).balance
            bonus = wallet.promotion_bonus(amount_fen, self.policy.promotions)
            wallet.check_balance_room(balance, amount_fen + bonus, self.limits.balance_fen_max)
            provider = self.providers.get(paid_by) if paid_by is not Tender.CASH else None
            charge = Charge(
                paid_by, amount_fen, f"{request_id}:topup", reference, f"members/{member_id}"
            )
            if provider is not None:
                reference = provider.charge(charge).reference
            try:
                return self.records.append(
                    member_id,
                    EntryKind.TOPUP,
                    amount_fen,
                    bonus,
                    at=self.clock(),
                    request_id=request_id,
                    request_fingerprint=fp,
                    tender=tender,
                    reference=reference,
                    actor=actor,
                )
            except Exception:
                if provider is not None:  # give back what the provider took
                    provider.charge(
                        replace(
                            charge, amount_fen=-amount_fen, idempotency_key=f"{request_id}:void"
                        )
                    )
                raise

    def cash_out(
        self, member_id: str, amount_fen: int, *, request_id: str, reason: str, actor: str = ""
    ) -> LedgerEntry:
        """Refund unused stored value: principal only; its share of bonus is forfeited."""
        if not reason.strip():
            raise InvalidArgument("a stored-value refund needs a reason", reason="REASON_REQUIRED")
        reason = bounded(reason, what="the reason", max_len=NOTE_MAX_CHARS)
        if amount_fen > 0:
            check_fen(amount_fen, what="a stored-value refund", max_fen=FEN_MAX)
        fp = fingerprint("cash_out", member_id, amount_fen)
        with self.store.transaction():
            done = self.records.replay(request_id, fp)
            if done is not None:
                return done
            balance = self.records.get(member_id).balance
            principal, bonus = wallet.split_cash_out(balance, amount_fen)
            return self.records.append(
                member_id,
                EntryKind.CASH_OUT,
                principal,
                bonus,
                at=self.clock(),
                request_id=request_id,
                request_fingerprint=fp,
                tender="cash",
                reference=reason.strip(),
                actor=actor,
            )

    def pay(
        self, member_id: str, pin: str, amount_fen: int, *, request_id: str, bill: str = ""
    ) -> LedgerEntry:
        """Pay ``amount_fen`` of a bill from the balance (PIN checked; joins the caller's
        transaction, so billing's payment and this debit commit or roll back together)."""
        if amount_fen > 0:
            check_fen(amount_fen, what="a stored-value payment", max_fen=FEN_MAX)
        fp = fingerprint("pay", member_id, amount_fen, bill)
        with self.store.transaction():
            done = self.records.replay(request_id, fp)
            if done is not None:
                return done
            self.check_pin(member_id, pin)
            return self._debit(member_id, amount_fen, request_id, fp, bill)

    def pay_by_phone(
        self, phone: str, pin: str, amount_fen: int, *, request_id: str, bill: str = ""
    ) -> LedgerEntry:
        """A room device pays (续钟) with a member's phone + PIN: as in :meth:`sign_in`, a
        stranger's phone, a wrong PIN and a member with no PIN answer alike after one hash,
        and each counts towards a lock. Joins the caller's transaction like :meth:`pay`."""
        phone = check_phone(phone)
        pin = pin_input(pin)
        with self.store.transaction():
            member = self.records.by_phone(phone)
            if member is None:
                self.pins.check_uniform(phone_subject(phone), pin, None)
                raise PermissionDenied(UNIFORM_WRONG, reason="WRONG_PIN")  # not reached
            fp = fingerprint("pay", member.member_id, amount_fen, bill)
            done = self.records.replay(request_id, fp)
            if done is not None:
                return done
            stored = self.records.pin_of(member.member_id)
            self.pins.check_uniform(member_subject(member.member_id), pin, stored)
            return self._debit(member.member_id, amount_fen, request_id, fp, bill)

    def _debit(
        self, member_id: str, amount_fen: int, request_id: str, fp: str, bill: str
    ) -> LedgerEntry:
        balance = self.records.get(member_id).balance
        principal, bonus = wallet.split_debit(balance, amount_fen, self.policy.bonus_order)
        return self.records.append(
            member_id,
            EntryKind.PAYMENT,
            -principal,
            -bonus,
            at=self.clock(),
            request_id=request_id,
            request_fingerprint=fp,
            tender="stored_value",
            reference=bill,
        )

    def refund_payment(self, entry_id: int, amount_fen: int, *, request_id: str) -> LedgerEntry:
        """Give (part of) a balance payment back to the balance, principal and bonus as taken."""
        fp = fingerprint("refund_payment", entry_id, amount_fen)
        with self.store.transaction():
            done = self.records.replay(request_id, fp)
            if done is not None:
                return done
            paid = self.records.entry(entry_id)
            if paid.kind is not EntryKind.PAYMENT:
                raise InvalidArgument(f"entry {entry_id} is not a payment", reason="NOT_A_PAYMENT")
            already = self.records.refunded_of(entry_id)
            principal, bonus = wallet.split_payment_refund(paid, already, amount_fen)
            return self.records.append(
                paid.member_id,
                EntryKind.PAYMENT_REFUND,
                principal,
                bonus,
                at=self.clock(),
                request_id=request_id,
                request_fingerprint=fp,
                tender="stored_value",
                reference=refund_reference(entry_id),
            )

    def history(
        self, member_id: str, limit: int = 200, before_entry_id: int | None = None
    ) -> list[LedgerEntry]:
        self.records.get(member_id)
        return self.records.history(member_id, limit, before_entry_id)

    def verify(self) -> tuple[int, Sequence[Mismatch]]:
        with self.store.transaction():
            return self.records.verify()


def _topup_tender(text: str) -> Tender:
    try:
        tender = Tender(text or "cash")
    except ValueError:
        tender = Tender.STORED_VALUE
    if tender not in TOPUP_TENDERS:
        names = ", ".join(t.value for t in TOPUP_TENDERS)
        raise InvalidArgument(f"top up by {names}, not {text!r}", reason="BAD_TENDER")
    return tender
