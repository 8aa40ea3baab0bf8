"""Typed arguments for ktvctl: every amount, percent, count, duration, limit, text and file a
cashier types is parsed and bounded here, once, before any call.

Each parser is an argparse ``type=``: it returns the value the request needs (fen, basis
points, minutes...) or raises ``argparse.ArgumentTypeError`` with one line saying what was
expected, so argparse reports ``ktvctl: error: argument --cash: ...`` and exit 2. Digits are
ASCII only (full-width ``０-９`` from a Chinese IME count; ``²`` and other scripts' digits do
not, see ``ktv.text``); no floats (``nan``, ``inf``, ``1e12`` are not numbers here).

The ceilings below are the client's typo guards, not the venue's rules: they are generous so
the controller (``ktv.limits`` and the venue's settings) stays the one that says what a venue
allows; they only make sure the controller is asked sane things (and that every number fits
its protobuf field).
"""

from __future__ import annotations

import argparse
import ipaddress
import re
import unicodedata
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from ktv import limits
from ktv.errors import InvalidArgument
from ktv.text import ascii_digits, bounded, half_width_digits, short

T = TypeVar("T")

GUEST_COUNT_MAX = 999  # a room's guests; the largest party room seats tens
QUANTITY_MAX = 9_999  # one line of an order (beer:6)
POINTS_MAX = 10**9  # loyalty points in one redemption
PREPAID_MINUTES_MAX = 7 * 24 * 60  # one purchase of time (买钟): a week is a typo anywhere
COUPON_DAYS_MAX = 3_660  # a coupon's validity: ten years
LEAD_DAYS_MAX = 366  # a campaign's days ahead of a birthday
PERCENT_DECIMALS = 2  # a percent is sent as basis points (12.5 % = 1250 bp)
TIMEOUT_S_MAX = 3_600.0  # --timeout: an hour; longer is a hung desk, not a slow controller
WATCH_S_MAX = 7 * 24 * 3_600.0  # rooms --watch --for-seconds
FILE_MAX_BYTES = 1 << 20  # price import: a venue config is a few KB; 1 MiB is far above
INPUT_MAX_CHARS = 64  # a number, amount or duration: longer is not worth parsing

_FULL_WIDTH_POINT = str.maketrans({"．": ".", "￥": "¥", "。": "."})
_YUAN_RE = re.compile(r"([0-9]+)(?:\.([0-9]{1,2}))?")
_DECIMAL_RE = re.compile(r"([0-9]+)(?:\.([0-9]+))?")
_DURATION_RE = re.compile(r"(?:([0-9]+)h)?(?:([0-9]+)m?)?")
_ADDRESS_RE = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):([0-9]{1,5})")


def _refuse(message: str) -> argparse.ArgumentTypeError:
    return argparse.ArgumentTypeError(message)


def _number_text(text: str, what: str) -> str:
    """Full-width digits and points made ASCII, stripped; refused when absurdly long."""
    if len(text) > INPUT_MAX_CHARS:
        raise _refuse(f"{what} is too long ({len(text)} characters)")
    return half_width_digits(text).translate(_FULL_WIDTH_POINT).strip()


def _yuan_text(yuan: int) -> str:
    return f"{yuan // 100}.{yuan % 100:02d}"


def yuan(*, positive: bool = True) -> Callable[[str], int]:
    """An amount in yuan (``88``, ``20.5``, ``¥20.50``) -> fen, within ``ktv.limits.FEN_MAX``."""

    def parse(text: str) -> int:
        value = _number_text(text, "an amount").removeprefix("¥").strip()
        match = _YUAN_RE.fullmatch(value)
        if match is None and _YUAN_RE.fullmatch(value.removeprefix("-").strip()):
            sign = "positive" if positive else "0 or more"
            raise _refuse(f"an amount must be {sign}, got {short(text)}")
        if match is None:
            raise _refuse(f"not an amount in yuan: {short(text)} (e.g. 88 or 20.50)")
        whole, frac = match.group(1), match.group(2) or ""
        if len(whole.lstrip("0")) > len(str(limits.FEN_MAX // 100)):
            raise _refuse(f"at most {_yuan_text(limits.FEN_MAX)} yuan, got {short(text)}")
        fen = int(whole) * 100 + int(frac.ljust(2, "0") or "0")
        try:
            limits.check_fen(fen, what="the amount")
        except InvalidArgument:
            raise _refuse(f"at most {_yuan_text(limits.FEN_MAX)} yuan, got {short(text)}") from None
        if positive and fen == 0:
            raise _refuse(f"an amount must be positive (more than 0), got {short(text)}")
        return fen

    parse.__name__ = "yuan"
    return parse


def percent_bp(text: str) -> int:
    """A percent off (``10``, ``12.5``), more than 0 and at most 100 -> basis points."""
    value = _number_text(text, "a percent").removesuffix("%").strip()
    match = _DECIMAL_RE.fullmatch(value)
    if match is None or len(match.group(1)) > 6:
        raise _refuse(f"not a percent: {short(text)} (e.g. 10 or 12.5)")
    frac = (match.group(2) or "").rstrip("0")
    if len(frac) > PERCENT_DECIMALS:
        raise _refuse(f"at most {PERCENT_DECIMALS} decimals in a percent, got {short(text)}")
    bp = int(Decimal(f"{match.group(1)}.{frac or '0'}") * 100)
    if not 0 < bp <= 10_000:
        raise _refuse(f"a percent must be more than 0 and at most 100, got {short(text)}")
    return bp


def count(what: str, low: int, high: int) -> Callable[[str], int]:
    """A whole number from ``low`` to ``high`` (guests, a quantity, points, days, a limit)."""

    def parse(text: str) -> int:
        value = _number_text(text, what)
        try:
            digits = ascii_digits(value, what=what, max_len=len(str(high)) + 4)
        except InvalidArgument:
            digits = ""
        number = int(digits) if digits else None
        if number is None or not low <= number <= high:
            raise _refuse(f"{what} must be a whole number from {low} to {high}, got {short(text)}")
        return number

    parse.__name__ = what
    return parse


def minutes(text: str) -> int:
    """A duration: ``3h``, ``90m``, ``1h30m`` or ``90`` (minutes), 1 minute to a week."""
    value = _number_text(text, "a duration").lower().replace(" ", "")
    match = _DURATION_RE.fullmatch(value)
    if not value or match is None or not any(match.groups()):
        raise _refuse(f"not a duration: {short(text)} (e.g. 3h, 90m, 1h30m)")
    hours, mins = match.group(1) or "0", match.group(2) or "0"
    if len(hours) > 6 or len(mins) > 8:
        total = PREPAID_MINUTES_MAX + 1
    else:
        total = int(hours) * 60 + int(mins)
    if not 1 <= total <= PREPAID_MINUTES_MAX:
        raise _refuse(
            f"a duration must be 1 minute to {PREPAID_MINUTES_MAX // 60}h, got {short(text)}"
        )
    return total


def seconds(
    what: str, low: float, high: float, *, allow_zero: bool = False
) -> Callable[[str], float]:
    """Seconds as a plain decimal (``5``, ``1.5``), ``low`` < s <= ``high`` (0 if allowed)."""

    def parse(text: str) -> float:
        value = _number_text(text, what)
        match = _DECIMAL_RE.fullmatch(value)
        number = float(Decimal(value)) if match and len(match.group(1)) <= 9 else None
        if number is None or not ((allow_zero and number == 0) or low < number <= high):
            span = (
                f"from 0 to {high:g}"
                if allow_zero and low == 0
                else f"more than {low:g} and at most {high:g}"
            )
            raise _refuse(f"{what} must be {span} seconds, got {short(text)}")
        return number

    parse.__name__ = what
    return parse


def _check_chars(text: str, what: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise _refuse(f"{what} is not valid text (undecodable bytes): {short(text)}") from None
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise _refuse(f"{what} has control characters: {short(text)}")


def _too_long(text: str, what: str, max_chars: int) -> argparse.ArgumentTypeError:
    return _refuse(f"{what} is too long ({len(text)} characters, at most {max_chars})")


def text(what: str, max_chars: int = limits.NAME_MAX_CHARS) -> Callable[[str], str]:
    """One line of text (a name, id, code, reason): NFKC, stripped, at most ``max_chars``."""

    def parse(value: str) -> str:
        if len(value) > 4 * max_chars + 16:  # before any per-character work
            raise _too_long(value, what, max_chars)
        _check_chars(value, what)
        try:
            return bounded(value, what=what, max_len=max_chars)
        except InvalidArgument as error:
            raise _refuse(error.message) from None

    parse.__name__ = what
    return parse


def verbatim(what: str, max_chars: int = limits.NAME_MAX_CHARS) -> Callable[[str], str]:
    """Text sent as typed except full-width digits (a phone, a member query, a request id):
    not NFKC, so ``²`` stays visible to the controller's own checks."""

    def parse(value: str) -> str:
        if len(value) > max_chars:
            raise _too_long(value, what, max_chars)
        _check_chars(value, what)
        return half_width_digits(value)

    parse.__name__ = what
    return parse


_DAY_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def day(value: str) -> str:
    """A business day ``YYYY-MM-DD`` (full-width digits count), checked to be a real date."""
    text = _number_text(value, "a day")
    match = _DAY_RE.fullmatch(text)
    try:
        if match is None:
            raise ValueError
        return date(*(int(g) for g in match.groups())).isoformat()
    except ValueError:
        raise _refuse(
            f"not a day: {short(value)!r} (expected YYYY-MM-DD, e.g. 2026-11-24)"
        ) from None


def pin(value: str) -> str:
    """A PIN: ASCII digits (full-width mapped), at most ``ktv.limits.PIN_MAX_DIGITS``; "" = none."""
    if value == "":
        return ""
    try:
        return ascii_digits(value, what="a PIN", max_len=limits.PIN_MAX_DIGITS)
    except InvalidArgument as error:
        raise _refuse(error.message.replace(short(value), "(hidden)")) from None


def address(value: str) -> str:
    """``HOST:PORT`` of a controller, port 1-65535."""
    if len(value) > 255:
        raise _too_long(value, "the controller address", 255)
    _check_chars(value, "the controller address")
    match = _ADDRESS_RE.fullmatch(value.strip())
    if match is None or not 1 <= int(match.group(2)) <= 65535:
        raise _refuse(f"not HOST:PORT (port 1-65535): {short(value)}")
    return value.strip()


def ipv4(value: str) -> str:
    """An IPv4 address of this machine (mDNS browses on it); "" = every interface."""
    if value == "":
        return ""
    try:
        return str(ipaddress.IPv4Address(value.strip()))
    except ValueError:
        raise _refuse(f"not an IPv4 address: {short(value)}") from None


def token(value: str) -> str:
    """A bearer token: visible ASCII only (it travels in an HTTP/2 header)."""
    if len(value) > 4096 or not all("!" <= ch <= "~" for ch in value.strip()):
        raise _refuse("not a token (expected visible ASCII characters, as `ktvctl login` prints)")
    return value.strip()


def read_text_file(path: Path, what: str, max_bytes: int = FILE_MAX_BYTES) -> str:
    """A UTF-8 text file of at most ``max_bytes``; InvalidArgument (one line) otherwise."""
    try:
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as error:
        raise InvalidArgument(
            f"cannot read {what} {short(str(path))}: {error.strerror or error}"
        ) from None
    if len(data) > max_bytes:
        raise InvalidArgument(
            f"{what} {short(str(path))} is larger than {max_bytes // 1024} KB", reason="TOO_LARGE"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidArgument(
            f"{what} {short(str(path))} is not UTF-8 text (byte {error.start}): a binary file?"
        ) from None


def write_file(path: Path, data: bytes, what: str) -> None:
    try:
        path.write_bytes(data)
    except OSError as error:
        raise InvalidArgument(
            f"cannot write {what} to {short(str(path))}: {error.strerror or error}"
        ) from None


def resolve(value: str, env: str, parse: Callable[[str], T]) -> T:
    """Parse a value taken from an environment variable; one line naming the variable."""
    try:
        return parse(value)
    except argparse.ArgumentTypeError as error:
        raise InvalidArgument(f"${env}: {error}") from None


# The text arguments every command shares (argparse names the option in its message).
ROOM = text("a room id", limits.CODE_MAX_CHARS + len("rooms/"))
BILL = text("a bill id", limits.CODE_MAX_CHARS + len("bills/"))
CODE = text("a code or id", limits.CODE_MAX_CHARS)
NAME = text("a name", limits.NAME_MAX_CHARS)
NOTE = text("a reason", limits.NOTE_MAX_CHARS)
REQUEST_ID = verbatim("a request id", limits.REQUEST_ID_MAX_CHARS)
MEMBER = verbatim("a member (phone, card, id or name)", limits.NAME_MAX_CHARS)
