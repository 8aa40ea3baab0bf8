"""Tenders that leave the building: every non-cash tender goes through a PaymentProvider.

The ``terminal`` provider is the cashier confirming the charge on the bank's POS terminal (or
the venue's own QR stand) and typing its reference; the ``sandbox`` provider approves or
declines by rule, for tests and the demo. A real gateway (WeChat Pay, Alipay, UnionPay)
implements the same two methods and must pass ``idempotency_key`` on to the gateway, so a
retried request can never charge twice. Member stored value plugs in as a provider too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from controller.billing.records import Tender
from ktv.errors import InvalidArgument, PaymentDeclined, Unsupported

if TYPE_CHECKING:
    from controller.store.db import Store


@dataclass(frozen=True)
class Charge:
    tender: Tender
    amount_fen: int  # positive: take money; negative: give it back (refund)
    idempotency_key: str  # request_id + tender: the same key never charges twice
    reference: str = ""  # what the cashier read off the terminal, if any
    bill: str = ""  # bills/{tab_id}, for the provider's records


@dataclass(frozen=True)
class Receipt:
    provider: str
    reference: str


class PaymentProvider(Protocol):
    name: str

    def charge(self, charge: Charge) -> Receipt:
        """Take (or, for a negative amount, refund) the money; raise PaymentDeclined or
        Unavailable when it cannot."""
        ...


class TerminalProvider:
    """The cashier ran the card / scanned the code on the POS terminal: record its slip."""

    name = "terminal"

    def charge(self, charge: Charge) -> Receipt:
        if not charge.reference.strip():
            raise InvalidArgument(
                f"{charge.tender.value}: confirm on the POS terminal and give its reference",
                reason="REFERENCE_REQUIRED",
            )
        return Receipt(self.name, charge.reference.strip())


@dataclass
class SandboxProvider:
    """Approves everything except amounts listed in ``decline_fen``; remembers what it did."""

    name: str = "sandbox"
    decline_fen: frozenset[int] = frozenset()
    charges: dict[str, Charge] = field(default_factory=dict)

    def charge(self, charge: Charge) -> Receipt:
        if abs(charge.amount_fen) in self.decline_fen:
            raise PaymentDeclined(f"{charge.tender.value} declined by the sandbox")
        self.charges.setdefault(charge.idempotency_key, charge)
        return Receipt(self.name, charge.reference or f"sbx-{charge.idempotency_key[-12:]}")


class NoStoredValue:
    """Member stored value before the membership module is installed."""

    name = "stored_value"

    def charge(self, charge: Charge) -> Receipt:
        raise Unsupported("member stored value is not available yet", reason="NO_MEMBERSHIP")


StoredValueFactory = Callable[["Store", Callable[[], datetime]], PaymentProvider]
_stored_value: list[StoredValueFactory] = []


def register_stored_value(factory: StoredValueFactory) -> None:
    """The membership module installs its stored-value provider here (at import)."""
    _stored_value[:] = [factory]


def default_providers(
    kind: str = "terminal",
    store: Store | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Mapping[Tender, PaymentProvider]:
    """Providers per tender: ``terminal`` (production default) or ``sandbox`` (demo/tests).

    With a store and clock, stored value is the registered membership provider, which
    writes its ledger in billing's own transaction on that store."""
    online: PaymentProvider = SandboxProvider() if kind == "sandbox" else TerminalProvider()
    stored: PaymentProvider = NoStoredValue()
    if _stored_value and store is not None and clock is not None:
        stored = _stored_value[0](store, clock)
    return {
        Tender.BANK_CARD: online,
        Tender.WECHAT: online,
        Tender.ALIPAY: online,
        Tender.UNIONPAY_QR: online,
        Tender.STORED_VALUE: stored,
    }
