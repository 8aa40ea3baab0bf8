"""A member on a guest's phone: a one-time code through the outbox (hashed at rest, expiring,
five wrong tries, three per phone per ten minutes, one answer for strangers), phone + PIN
with the member PIN's lockout, the sign-in tied to this phone for this session only, and
我的歌单 (bounded, idempotent)."""

from __future__ import annotations

import pytest

from controller.billing.desk import TenderAmount
from controller.billing.records import Tender
from controller.club import settings
from controller.club.phone import PhoneGuest
from controller.members import settings as member_settings
from controller.rooms.model import RoomState
from ktv.errors import KtvError
from tests.controller.members.test_pay_from_balance import CASHIER

PHONE = "13800138000"
STRANGER = "13700137000"


@pytest.fixture
def room(club):  # type: ignore[no-untyped-def]
    club.members.register(PHONE, "张伟", pin="2580")
    club.billing.open("A08", 4, CASHIER)
    return club


def guest(club, gid: str = "g1") -> PhoneGuest:  # type: ignore[no-untyped-def]
    return PhoneGuest(gid, "A08", f"sessions/{club.billing.tab_id_of('A08')}")


def refusal(action, *args) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(KtvError) as err:
        action(*args)
    return type(err.value).__name__, err.value.reason


def test_a_code_goes_through_the_outbox_and_signs_the_member_in_once(room) -> None:  # type: ignore[no-untyped-def]
    room.phone.send_code(PHONE)
    (code,) = room.sent_codes(PHONE)
    stored = room.store.query("SELECT code_hash FROM club_sign_in_codes")
    assert code.encode() not in bytes(stored[0]["code_hash"])  # hashed, salted
    member = room.phone.check_code(PHONE, code)
    assert member.phone == PHONE
    assert refusal(room.phone.check_code, PHONE, code) == (
        "FailedPrecondition",
        "SIGN_IN_CODE_EXPIRED",
    )


def test_an_expired_code_is_refused(room) -> None:  # type: ignore[no-untyped-def]
    room.phone.send_code(PHONE)
    (code,) = room.sent_codes(PHONE)
    room.clock.advance(seconds=settings.sign_in_code_ttl_s)
    assert refusal(room.phone.check_code, PHONE, code) == (
        "FailedPrecondition",
        "SIGN_IN_CODE_EXPIRED",
    )


def test_five_wrong_codes_kill_the_code_even_the_right_one_after(room) -> None:  # type: ignore[no-untyped-def]
    room.phone.send_code(PHONE)
    (code,) = room.sent_codes(PHONE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(settings.sign_in_code_max_wrong):
        assert refusal(room.phone.check_code, PHONE, wrong) == ("PermissionDenied", "WRONG_CODE")
    assert refusal(room.phone.check_code, PHONE, code) == (
        "FailedPrecondition",
        "SIGN_IN_CODE_LOCKED",
    )
    assert refusal(room.phone.check_code, PHONE, "12ab56")[1] == "BAD_SIGN_IN_CODE"


def test_a_stranger_is_answered_like_a_member_and_sent_nothing(room) -> None:  # type: ignore[no-untyped-def]
    member_expiry = room.phone.send_code(PHONE)
    stranger_expiry = room.phone.send_code(STRANGER)
    assert member_expiry == stranger_expiry
    assert room.sent_codes(STRANGER) == []
    assert refusal(room.phone.check_code, STRANGER, "123456") == ("PermissionDenied", "WRONG_CODE")
    for _ in range(settings.sign_in_codes_per_phone - 1):
        room.phone.send_code(STRANGER)
        room.phone.send_code(PHONE)
    assert refusal(room.phone.send_code, STRANGER) == refusal(room.phone.send_code, PHONE)
    assert refusal(room.phone.send_code, PHONE) == ("FailedPrecondition", "TOO_MANY_CODES")
    room.clock.advance(seconds=settings.sign_in_codes_window_s + 1)
    room.phone.send_code(PHONE)


def test_the_pin_path_keeps_the_member_pin_lockout(room) -> None:  # type: ignore[no-untyped-def]
    for _ in range(member_settings.pin_max_failures):
        assert refusal(room.members.check_phone_pin, PHONE, "1111")[1] == "WRONG_PIN"
    assert refusal(room.members.check_phone_pin, PHONE, "2580")[1] == "PIN_LOCKED"
    room.clock.advance(seconds=member_settings.pin_lockout_s + 1)
    assert room.members.check_phone_pin(PHONE, "2580").phone == PHONE


def test_signing_in_ties_the_member_to_this_phone_for_this_session_only(room) -> None:  # type: ignore[no-untyped-def]
    me, other = guest(room), guest(room, "g2")
    assert refusal(room.phone.member_of, me) == ("FailedPrecondition", "MEMBER_NOT_SIGNED_IN")
    member = room.phone.sign_in(me, room.members.check_phone_pin(PHONE, "2580"))
    assert room.phone.member_of(me) == member
    assert refusal(room.phone.member_of, other)[1] == "MEMBER_NOT_SIGNED_IN"
    tab = room.billing.tab_id_of("A08")
    joined = room.store.query("SELECT member_id FROM member_sessions WHERE tab_id = ?", (tab,))
    assert [r["member_id"] for r in joined] == [member.member_id]  # credited at checkout
    bill = room.billing.bill(tab).bill.total_fen
    room.billing.checkout("A08", CASHIER, [TenderAmount(Tender.CASH, bill)])
    assert refusal(room.phone.member_of, me)[1] == "MEMBER_NOT_SIGNED_IN"
    room.billing.board.set_state("A08", RoomState.IDLE, "cleaned")
    room.billing.open("A08", 2, CASHIER)  # the next group: the old phone is no member there
    assert refusal(room.phone.member_of, me)[1] == "MEMBER_NOT_SIGNED_IN"


def test_signing_out_forgets_the_member_on_this_phone(room) -> None:  # type: ignore[no-untyped-def]
    me = guest(room)
    room.phone.sign_in(me, room.members.check_phone_pin(PHONE, "2580"))
    room.phone.sign_out(me)
    assert refusal(room.phone.member_of, me)[1] == "MEMBER_NOT_SIGNED_IN"


def test_saved_songs_add_remove_list_and_stay_bounded(room, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    member = room.members.register("13900139000", "李娜")
    mid = member.member_id
    first = room.phone.save_song(mid, "s-qilixiang")
    assert (first.title, first.artist) == ("七里香", "周杰伦")
    room.clock.advance(seconds=1)
    room.phone.save_song(mid, "s-daoxiang")
    assert room.phone.save_song(mid, "s-qilixiang") == first  # saving twice keeps one
    assert [s.song_id for s in room.phone.saved_songs(mid)] == ["s-daoxiang", "s-qilixiang"]
    room.phone.remove_song(mid, "s-daoxiang")
    room.phone.remove_song(mid, "s-daoxiang")  # removing twice is fine
    assert [s.song_id for s in room.phone.saved_songs(mid)] == ["s-qilixiang"]
    assert refusal(room.phone.save_song, mid, "s-unknown") == ("NotFound", "SONG_NOT_FOUND")
    assert refusal(room.phone.save_song, mid, "bad id")[1] == "BAD_SONG"
    monkeypatch.setattr(settings, "saved_songs_max", 1)
    assert refusal(room.phone.save_song, mid, "s-daoxiang") == (
        "FailedPrecondition",
        "SAVED_SONGS_FULL",
    )
