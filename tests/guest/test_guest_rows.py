"""What a guest's phone may call, from the one permission table of every service module: an
explicit list, so opening another method to phones is a visible change here."""

from __future__ import annotations

import importlib

from controller.app import service_modules
from controller.auth.model import Role
from controller.auth.permissions import INFRASTRUCTURE, PermissionTable
from controller.server import SERVICE_MODULE_PATHS

# Every method a guest's credential is let through to (room_field: its own room only).
GUEST_METHODS = {
    "/ktv.v1.AuthService/WhoAmI": "",
    "/ktv.v1.RoomService/GetRoom": "name",
    "/ktv.v1.GuestService/GetRoomView": "room",
    "/ktv.v1.GuestService/SearchSongs": "room",
    "/ktv.v1.GuestService/QueueSong": "room",
    "/ktv.v1.GuestService/RemoveQueuedSong": "room",
    "/ktv.v1.GuestService/ControlRoom": "room",
    "/ktv.v1.GuestService/CallService": "room",
    "/ktv.v1.BillingService/ListProducts": "",
    "/ktv.v1.BillingService/PlaceOrder": "room",
    "/ktv.v1.BillingService/GetBill": "room",
    "/ktv.v1.BillingService/QuoteExtensions": "room",
    # guestpay: a payment's own room is checked by the servicer (the request names a payment)
    "/ktv.v1.PaymentService/StartPayment": "room",
    "/ktv.v1.PaymentService/GetPayment": "",
    "/ktv.v1.PaymentService/CancelPayment": "",
    # guestclub: the member on the phone, 我的歌单, the room's draws
    "/ktv.v1.GuestClubService/SendSignInCode": "room",
    "/ktv.v1.GuestClubService/SignInMember": "room",
    "/ktv.v1.GuestClubService/SignOutMember": "room",
    "/ktv.v1.GuestClubService/GetMyAccount": "room",
    "/ktv.v1.GuestClubService/ListSavedSongs": "room",
    "/ktv.v1.GuestClubService/SaveSong": "room",
    "/ktv.v1.GuestClubService/RemoveSavedSong": "room",
    "/ktv.v1.GuestClubService/QueueSavedSongs": "room",
    "/ktv.v1.GuestClubService/ListRoomDraws": "room",
}


def full_table() -> PermissionTable:
    for path in SERVICE_MODULE_PATHS:
        importlib.import_module(path)
    table = PermissionTable(INFRASTRUCTURE)
    for factory in service_modules():
        table.allow(factory().permissions())
    return table


def test_a_guest_reaches_only_the_listed_methods_and_only_for_its_own_room() -> None:
    table = full_table()
    open_to_guests = {
        method: rule.room_field
        for method in table.methods()
        if (rule := table.rule_for(method)) is not None
        and rule.roles is not None
        and Role.GUEST in rule.roles
    }
    members_rows = {m: f for m, f in open_to_guests.items() if "MembersService" in m}
    assert {m: f for m, f in open_to_guests.items() if m not in members_rows} == GUEST_METHODS
    assert all(field == "room" for field in members_rows.values()), members_rows
