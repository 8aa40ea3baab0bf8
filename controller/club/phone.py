"""A member on a guest's phone: sign-in by phone + PIN (the member PIN and its persisted
lockout) or by a one-time code sent through the notifications outbox, the tie between the
guest credential and the member (that session only), and 我的歌单.

Codes: 6 digits, kept as salted SHA-256 (never the digits; the outbox row that carries them to
the member is the only copy), 5 minutes, 5 wrong tries, at most 3 sent per phone per 10
minutes. A stranger's phone gets the same answers as a member's (a code row is kept for it,
nothing is sent), so the page cannot tell members from strangers.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from controller.billing.store import BillingRecords
from controller.club import schema as _schema  # noqa: F401 - registers the club migrations
from controller.club import settings
from controller.members.campaigns import Notifier
from controller.members.desk import MemberDesk
from controller.members.model import Member, check_phone
from controller.members.outreach import Outreach
from controller.store.db import Store
from ktv.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from ktv.text import bounded

SIGN_IN_TEMPLATE = "sign_in_code"


@dataclass(frozen=True)
class PhoneGuest:
    """The guest credential as the club sees it (from the caller's Principal)."""

    guest_id: str
    room_id: str
    session: str  # the room session the credential belongs to ('' : the room's open one)


@dataclass(frozen=True)
class SavedSong:
    song_id: str
    title: str
    artist: str
    saved_at: datetime


SongLookup = Callable[[str], "tuple[str, str] | None"]  # song id -> (title, artist), None: unknown


def _code_hash(code: str, salt: bytes) -> bytes:
    return hashlib.sha256(salt + code.encode()).digest()


def code_input(code: str) -> str:
    value = bounded(code or "", what="the code", max_len=16, reason="BAD_SIGN_IN_CODE").strip()
    if not (value.isascii() and value.isdigit() and len(value) == settings.sign_in_code_digits):
        raise InvalidArgument(
            f"a sign-in code is {settings.sign_in_code_digits} digits", reason="BAD_SIGN_IN_CODE"
        )
    return value


def song_id_input(song_id: str) -> str:
    value = bounded(
        song_id or "", what="the song id", max_len=settings.song_id_max_chars, reason="BAD_SONG"
    ).strip()
    if not value or not value.isascii() or not value.isprintable() or " " in value:
        raise InvalidArgument("a song id is 1-64 printable ASCII characters", reason="BAD_SONG")
    return value


def masked_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


class MemberPhone:
    def __init__(
        self, desk: MemberDesk, outreach: Outreach, notifier: Notifier, songs: SongLookup
    ) -> None:
        self.desk = desk
        self.outreach = outreach
        self.notifier = notifier
        self.songs = songs
        self.store: Store = desk.store
        self.clock = desk.clock

    # --- the room's session ------------------------------------------------------------------
    def _open_session(self, room_id: str) -> tuple[str, str]:
        found = BillingRecords(self.store).open_tab_of(room_id)
        if found is None:
            raise FailedPrecondition(
                f"room {room_id} has no open session", reason="NO_OPEN_SESSION"
            )
        return found

    # --- one-time codes ----------------------------------------------------------------------
    def send_code(self, phone: str) -> datetime:
        """Queue a code for the member with this phone and dispatch the outbox; the code's
        expiry. Strangers get the same answer and nothing is sent."""
        phone = check_phone(phone)
        now = self.clock()
        expires = now + timedelta(seconds=settings.sign_in_code_ttl_s)
        digits = settings.sign_in_code_digits
        code = f"{secrets.randbelow(10**digits):0{digits}d}"
        salt = os.urandom(16)
        with self.store.transaction():
            recent = self.store.query_one(
                "SELECT COUNT(*) AS n FROM club_sign_in_codes WHERE phone = ? AND created_at > ?",
                (phone, (now - timedelta(seconds=settings.sign_in_codes_window_s)).isoformat()),
            )
            if recent is not None and recent["n"] >= settings.sign_in_codes_per_phone:
                raise FailedPrecondition(
                    f"{settings.sign_in_codes_per_phone} codes were sent to this phone in the"
                    f" last {settings.sign_in_codes_window_s // 60} minutes; use the last one or"
                    " wait",
                    reason="TOO_MANY_CODES",
                )
            member = self.desk.records.by_phone(phone)
            self.store.execute(
                "INSERT INTO club_sign_in_codes (phone, member_id, salt, code_hash, created_at,"
                " expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    phone,
                    member.member_id if member else "",
                    salt,
                    _code_hash(code, salt),
                    now.isoformat(),
                    expires.isoformat(),
                ),
            )
            if member is not None:
                payload = {"code": code, "minutes": str(settings.sign_in_code_ttl_s // 60)}
                self.store.execute(
                    "INSERT INTO notifications (member_id, template, payload, created_at)"
                    " VALUES (?, ?, ?, ?)",
                    (
                        member.member_id,
                        SIGN_IN_TEMPLATE,
                        json.dumps(payload, ensure_ascii=False),
                        now.isoformat(),
                    ),
                )
        self.outreach.dispatch(self.notifier)  # a code is wanted now, not at the next job run
        return expires

    def check_code(self, phone: str, code: str) -> Member:
        """The member whose latest code this is; the code is used up. Wrong codes count
        towards that code's limit; an expired or used-up code says so."""
        phone = check_phone(phone)
        code = code_input(code)
        now = self.clock()
        with self.store.transaction():
            row = self.store.query_one(
                "SELECT * FROM club_sign_in_codes WHERE phone = ? AND used_at IS NULL"
                " ORDER BY code_id DESC LIMIT 1",
                (phone,),
            )
            if row is None:
                raise FailedPrecondition(
                    "no sign-in code was sent to this phone: ask for one",
                    reason="SIGN_IN_CODE_EXPIRED",
                )
            if datetime.fromisoformat(row["expires_at"]) <= now:
                raise FailedPrecondition(
                    "the sign-in code has expired: ask for a new one", reason="SIGN_IN_CODE_EXPIRED"
                )
            if row["wrong_tries"] >= settings.sign_in_code_max_wrong:
                raise FailedPrecondition(
                    f"{settings.sign_in_code_max_wrong} wrong tries: ask for a new code",
                    reason="SIGN_IN_CODE_LOCKED",
                )
            right = hmac.compare_digest(_code_hash(code, bytes(row["salt"])), row["code_hash"])
            if right and row["member_id"]:
                self.store.execute(
                    "UPDATE club_sign_in_codes SET used_at = ? WHERE code_id = ?",
                    (now.isoformat(), row["code_id"]),
                )
                return self.desk.records.get(row["member_id"])
        with self.store.transaction():  # counted apart: the refusal below must not undo it
            self.store.execute(
                "UPDATE club_sign_in_codes SET wrong_tries = wrong_tries + 1 WHERE code_id = ?",
                (row["code_id"],),
            )
        raise PermissionDenied("wrong phone number or code", reason="WRONG_CODE")

    # --- sign-in -----------------------------------------------------------------------------
    def sign_in(self, guest: PhoneGuest, member: Member) -> Member:
        """Tie the member to this guest credential for the room's session (replacing any
        member signed in before on this phone), and join the member to the session's bill."""
        tab_id, session = self._open_session(guest.room_id)
        if guest.session and guest.session != session:
            raise FailedPrecondition(
                "this phone joined an earlier session: scan the room's code again",
                reason="NO_OPEN_SESSION",
            )
        now = self.clock()
        with self.store.transaction():
            self.store.execute(
                "INSERT INTO club_guest_members (guest_id, member_id, room_id, session, at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (guest_id) DO UPDATE SET"
                " member_id = excluded.member_id, room_id = excluded.room_id,"
                " session = excluded.session, at = excluded.at",
                (guest.guest_id, member.member_id, guest.room_id, session, now.isoformat()),
            )
            self.desk.records.attach(tab_id, member.member_id, guest.room_id, now)
        return member

    def sign_out(self, guest: PhoneGuest) -> None:
        with self.store.transaction():
            self.store.execute(
                "DELETE FROM club_guest_members WHERE guest_id = ?", (guest.guest_id,)
            )

    def member_of(self, guest: PhoneGuest) -> Member:
        """The member signed in on this phone, in this room's open session; else
        FailedPrecondition MEMBER_NOT_SIGNED_IN."""
        row = self.store.query_one(
            "SELECT member_id, room_id, session FROM club_guest_members WHERE guest_id = ?",
            (guest.guest_id,),
        )
        open_now = BillingRecords(self.store).open_tab_of(guest.room_id)
        if (
            row is None
            or row["room_id"] != guest.room_id
            or open_now is None
            or open_now[1] != row["session"]
            or (guest.session and guest.session != row["session"])
        ):
            raise FailedPrecondition(
                "sign in as a member first (phone + PIN or a code)", reason="MEMBER_NOT_SIGNED_IN"
            )
        return self.desk.records.get(row["member_id"])

    # --- 我的歌单 ---------------------------------------------------------------------------
    def saved_songs(self, member_id: str) -> list[SavedSong]:
        rows = self.store.query(
            "SELECT * FROM club_saved_songs WHERE member_id = ?"
            " ORDER BY saved_at DESC, song_id LIMIT ?",
            (member_id, settings.saved_songs_max),
        )
        return [
            SavedSong(r["song_id"], r["title"], r["artist"], datetime.fromisoformat(r["saved_at"]))
            for r in rows
        ]

    def save_song(self, member_id: str, song_id: str) -> SavedSong:
        song_id = song_id_input(song_id)
        found = self.songs(song_id)
        if found is None:
            raise NotFound(f"no song {song_id} in the catalog", reason="SONG_NOT_FOUND")
        title, artist = found
        now = self.clock()
        with self.store.transaction():
            had = self.store.query_one(
                "SELECT * FROM club_saved_songs WHERE member_id = ? AND song_id = ?",
                (member_id, song_id),
            )
            if had is not None:
                return SavedSong(
                    song_id, had["title"], had["artist"], datetime.fromisoformat(had["saved_at"])
                )
            count = self.store.query_one(
                "SELECT COUNT(*) AS n FROM club_saved_songs WHERE member_id = ?", (member_id,)
            )
            if count is not None and count["n"] >= settings.saved_songs_max:
                raise FailedPrecondition(
                    f"我的歌单 holds {settings.saved_songs_max} songs: remove one first",
                    reason="SAVED_SONGS_FULL",
                )
            self.store.execute(
                "INSERT INTO club_saved_songs (member_id, song_id, title, artist, saved_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (member_id, song_id, title, artist, now.isoformat()),
            )
        return SavedSong(song_id, title, artist, now)

    def remove_song(self, member_id: str, song_id: str) -> None:
        song_id = song_id_input(song_id)
        with self.store.transaction():
            self.store.execute(
                "DELETE FROM club_saved_songs WHERE member_id = ? AND song_id = ?",
                (member_id, song_id),
            )
