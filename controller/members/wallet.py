"""Stored value (储值) decisions: promotions, how a payment splits into principal and bonus,
what a refund gives back. Pure: the store appends what these return.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from controller.billing.money import div_half_up
from controller.members.model import Balance, BonusOrder, LedgerEntry, TopUpPromotion
from ktv.errors import FailedPrecondition, InvalidArgument


def promotion_bonus(amount_fen: int, promotions: Sequence[TopUpPromotion]) -> int:
    """The bonus of the best promotion the top-up reaches (0 when none)."""
    best = 0
    for p in promotions:
        if amount_fen >= p.min_topup_fen and p.bonus_fen > best:
            best = p.bonus_fen
    return best


def check_topup(amount_fen: int) -> None:
    if amount_fen <= 0:
        raise InvalidArgument("a top-up must be more than 0", reason="BAD_AMOUNT")


def check_balance_room(balance: Balance, adding_fen: int, balance_fen_max: int) -> None:
    """Refuse a top-up (with its bonus) that would take the balance past the venue's bound."""
    if balance.total_fen + adding_fen > balance_fen_max:
        raise InvalidArgument(
            f"the balance would be {balance.total_fen + adding_fen} fen, more than the venue's "
            f"{balance_fen_max} fen per member",
            reason="BALANCE_TOO_LARGE",
        )


def split_debit(balance: Balance, amount_fen: int, order: BonusOrder) -> tuple[int, int]:
    """(principal, bonus) taken to pay ``amount_fen``; never more than the balance has."""
    if amount_fen <= 0:
        raise InvalidArgument("a stored-value payment must be more than 0", reason="BAD_AMOUNT")
    if amount_fen > balance.total_fen:
        raise FailedPrecondition(
            f"balance {balance.total_fen} fen is less than {amount_fen} fen",
            reason="INSUFFICIENT_BALANCE",
        )
    if order is BonusOrder.AFTER_PRINCIPAL:
        principal = min(balance.principal_fen, amount_fen)
        return principal, amount_fen - principal
    bonus = div_half_up(amount_fen * balance.bonus_fen, balance.total_fen)
    bonus = min(bonus, balance.bonus_fen)
    principal = amount_fen - bonus
    if principal > balance.principal_fen:  # rounding at the very end of a balance
        principal = balance.principal_fen
        bonus = amount_fen - principal
    return principal, bonus


def split_payment_refund(paid: LedgerEntry, already_fen: int, amount_fen: int) -> tuple[int, int]:
    """(principal, bonus) given back when ``amount_fen`` of a payment entry is refunded.

    ``already_fen`` is what earlier refunds of the same payment gave back. The refund returns
    principal and bonus in the proportion the payment took them; the last refund settles
    the remainder exactly.
    """
    taken_p, taken_b = -paid.principal_fen, -paid.bonus_fen
    taken = taken_p + taken_b
    if amount_fen <= 0 or already_fen + amount_fen > taken:
        raise InvalidArgument(
            f"refund of {amount_fen} fen: only {taken - already_fen} fen of that payment is left",
            reason="REFUND_TOO_LARGE",
        )
    if already_fen + amount_fen == taken:
        done_b = div_half_up(already_fen * taken_b, taken) if taken else 0
        bonus = taken_b - done_b
    else:
        bonus = div_half_up((already_fen + amount_fen) * taken_b, taken) - div_half_up(
            already_fen * taken_b, taken
        )
    return amount_fen - bonus, bonus


def split_cash_out(balance: Balance, amount_fen: int) -> tuple[int, int]:
    """Unused stored value refunded: principal only, and the bonus that came with it goes.

    Returns the (negative) deltas: ``-amount_fen`` of principal and the bonus forfeited in
    proportion (all of it when the principal reaches 0).
    """
    if amount_fen <= 0:
        raise InvalidArgument("a refund must be more than 0", reason="BAD_AMOUNT")
    if amount_fen > balance.principal_fen:
        raise FailedPrecondition(
            f"only {balance.principal_fen} fen of principal can be refunded (bonus never is)",
            reason="REFUND_TOO_LARGE",
        )
    if amount_fen == balance.principal_fen:
        return -amount_fen, -balance.bonus_fen
    forfeit = div_half_up(amount_fen * balance.bonus_fen, balance.principal_fen)
    return -amount_fen, -min(forfeit, balance.bonus_fen)


def fold(entries: Iterable[LedgerEntry]) -> Balance:
    """The balance is the sum of the ledger."""
    principal = bonus = 0
    for e in entries:
        principal += e.principal_fen
        bonus += e.bonus_fen
    return Balance(principal, bonus)
