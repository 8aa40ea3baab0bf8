"""Other areas' messages to a member through the notifications outbox (sent by the
``notifications`` job like the campaigns' own): 存酒 reminders from inventory."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

import controller.members.schema  # noqa: F401 - registers the members migrations
from controller.members.records import MemberRecords
from controller.store.db import Store


def member_of_phone(store: Store, phone: str) -> str:
    """The member id of this (normalised) phone, or ``""``."""
    member = MemberRecords(store).by_phone(phone)
    return member.member_id if member else ""


def queue_for_phone(
    store: Store, phone: str, template: str, payload: Mapping[str, str], now: datetime
) -> str:
    """Queue a message for the member with this phone, in the caller's transaction; the
    member id, or ``""`` when the phone is no member's (nothing queued)."""
    member = MemberRecords(store).by_phone(phone)
    if member is None:
        return ""
    store.execute(
        "INSERT INTO notifications (member_id, template, payload, created_at) VALUES (?, ?, ?, ?)",
        (
            member.member_id,
            template,
            json.dumps(dict(payload), ensure_ascii=False),
            now.isoformat(),
        ),
    )
    return member.member_id
