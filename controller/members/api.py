"""``ktv.v1.MembersService`` (gRPC adapter) and its permission rows; also installs the
stored-value provider into billing (imported before billing builds its desk)."""

from __future__ import annotations

import tomllib
import weakref
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import grpc

import controller.members.schema  # noqa: F401 - registers the members migrations
from controller.app import ControllerApp, register_service_module
from controller.auth.model import Role
from controller.auth.permissions import Permission, service_rows
from controller.billing.payments import (
    PaymentProvider,
    default_providers,
    register_stored_value,
)
from controller.billing.records import Tender
from controller.billing.service import BillingDesk
from controller.billing.settlement import SettledHook, register_settled_hook
from controller.members.campaigns import FileNotifier
from controller.members.checkout import MemberCheckout, credit_on_settle
from controller.members.desk import MemberDesk
from controller.members.jobs import campaign_settings, schedule_member_jobs
from controller.members.loyalty import LoyaltyDesk
from controller.members.outreach import Outreach
from controller.members.redemption import ProductRedemption
from controller.members.rewards import rewards_from_config
from controller.members.servicer import MembersServicer
from controller.members.stored_value import StoredValueProvider
from controller.store.db import Store
from ktv.v1 import members_pb2 as pb
from ktv.v1 import members_pb2_grpc

NOTIFICATIONS_FILE = "notifications.jsonl"

CASHIER_UP = frozenset({Role.CASHIER, Role.MANAGER, Role.ADMIN})
MANAGER_UP = frozenset({Role.MANAGER, Role.ADMIN})
STAFF = CASHIER_UP | {Role.WAITER}

PERMISSIONS = service_rows(
    "ktv.v1.MembersService",
    {
        "CreateMember": Permission(CASHIER_UP),
        "RegisterMember": Permission(CASHIER_UP),  # deprecated: CreateMember
        "GetMember": Permission(STAFF),
        "ListMembers": Permission(STAFF),
        "FindMembers": Permission(STAFF),  # deprecated: ListMembers
        "SetMemberPin": Permission(CASHIER_UP),
        "TopUp": Permission(CASHIER_UP),
        "RefundBalance": Permission(MANAGER_UP),
        "ListHistory": Permission(CASHIER_UP),
        "RedeemPoints": Permission(CASHIER_UP),
        "RecordVisit": Permission(CASHIER_UP),
        "VerifyBalances": Permission(MANAGER_UP),
        "ApplyBenefits": Permission(CASHIER_UP),
        "CreditBill": Permission(CASHIER_UP),
        "SignIn": Permission(frozenset({Role.GUEST, Role.AGENT}) | CASHIER_UP, room_field="room"),
        "IssueCoupon": Permission(MANAGER_UP),
        "ListCoupons": Permission(STAFF),
        "RunCampaign": Permission(MANAGER_UP),
    },
)

_desks: weakref.WeakKeyDictionary[Store, MemberDesk] = weakref.WeakKeyDictionary()


def desk_for(store: Store, clock: Callable[[], datetime]) -> MemberDesk:
    """One MemberDesk per store, shared by billing's provider and the servicer (so the
    PIN lockout is one)."""
    if store not in _desks:
        _desks[store] = MemberDesk(store, clock)
    return _desks[store]


def _provider(store: Store, clock: Callable[[], datetime]) -> PaymentProvider:
    return StoredValueProvider(desk_for(store, clock))


def _credit_hook(store: Store, clock: Callable[[], datetime]) -> SettledHook:
    return credit_on_settle(LoyaltyDesk(desk_for(store, clock)))


register_stored_value(_provider)
register_settled_hook(_credit_hook)


def _venue_data(app: ControllerApp) -> dict[str, Any]:
    path = app.options.venue_config
    return tomllib.loads(path.read_text(encoding="utf-8")) if path else {}


def _topup_providers(data: Mapping[str, Any]) -> dict[Tender, PaymentProvider]:
    """Top-ups by card or QR go through the venue's payment providers, like bill tenders."""
    kind = str(data.get("payments", {}).get("provider", "terminal"))
    providers = dict(default_providers(kind))
    providers.pop(Tender.STORED_VALUE, None)  # stored value cannot top up stored value
    return providers


class MembersModule:
    def permissions(self) -> Mapping[str, Permission]:
        return PERMISSIONS

    def add_to_server(self, server: grpc.aio.Server, app: ControllerApp) -> list[str]:
        data = _venue_data(app)
        desk = desk_for(app.store, app.clock)
        desk.providers = _topup_providers(data)
        outreach = Outreach(LoyaltyDesk(desk))
        notifier = FileNotifier(app.options.data_dir / NOTIFICATIONS_FILE)
        billing = BillingDesk(app.board, clock=app.clock, limits=app.venue.limits)
        desk.limits = app.venue.limits
        checkout = MemberCheckout(billing, outreach.loyalty)
        redemption = ProductRedemption(billing, outreach.loyalty)
        if "menu" in data:
            redemption.set_rewards(rewards_from_config(data))
        if app.scheduler is not None:
            schedule_member_jobs(
                app.scheduler, outreach, checkout, notifier, campaign_settings(data)
            )
        members_pb2_grpc.add_MembersServiceServicer_to_server(
            MembersServicer(desk, outreach, notifier, checkout, redemption), server
        )
        return [pb.DESCRIPTOR.services_by_name["MembersService"].full_name]


register_service_module(MembersModule)
