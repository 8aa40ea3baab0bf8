"""Money is integer fen (分). Every rounding in billing goes through this module."""

from __future__ import annotations

from enum import Enum

from ktv.errors import InvalidArgument

FEN_PER_YUAN = 100
BASIS_POINTS = 10_000


def div_half_up(numerator: int, denominator: int) -> int:
    """Integer division rounding halves away from zero (1.5 -> 2, -1.5 -> -2)."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    sign = -1 if numerator < 0 else 1
    q, r = divmod(abs(numerator), denominator)
    if 2 * r >= denominator:
        q += 1
    return sign * q


def prorate(rate_fen_per_hour: int, seconds: int) -> int:
    """The charge for ``seconds`` at an hourly rate, rounded half up to the fen."""
    return div_half_up(rate_fen_per_hour * seconds, 3600)


def percent_bp(amount_fen: int, basis_points: int) -> int:
    """``amount_fen`` x basis points / 10000 (1000 bp = 10 %), rounded half up to the fen."""
    return div_half_up(amount_fen * basis_points, BASIS_POINTS)


class RoundingRule(Enum):
    """How the bill total is rounded at the end (抹零); the difference is a visible line."""

    NONE = "none"
    FLOOR_JIAO = "floor_jiao"  # 抹分: drop the fen, keep jiao
    FLOOR_YUAN = "floor_yuan"  # 抹零: drop jiao and fen
    HALF_UP_YUAN = "half_up_yuan"  # 四舍五入 to the yuan

    def apply(self, amount_fen: int) -> int:
        """The rounded total (never negative for a non-negative amount)."""
        if amount_fen < 0:
            raise ValueError("bill totals are never negative")
        if self is RoundingRule.NONE:
            return amount_fen
        if self is RoundingRule.FLOOR_JIAO:
            return amount_fen - amount_fen % 10
        if self is RoundingRule.FLOOR_YUAN:
            return amount_fen - amount_fen % FEN_PER_YUAN
        return div_half_up(amount_fen, FEN_PER_YUAN) * FEN_PER_YUAN


def format_yuan(amount_fen: int) -> str:
    """2088 -> '20.88', -50 -> '-0.50' (for receipts and the CLI, never for arithmetic)."""
    sign = "-" if amount_fen < 0 else ""
    yuan, fen = divmod(abs(amount_fen), FEN_PER_YUAN)
    return f"{sign}{yuan}.{fen:02d}"


def parse_yuan(text: str) -> int:
    """'20.88' / '20' / '¥20.8' -> fen, exactly (no floats). Raises InvalidArgument."""
    s = text.strip().lstrip("¥").strip()
    negative = s.startswith("-")
    if negative:
        s = s[1:]
    whole, _, frac = s.partition(".")
    if not whole.isdigit() or (frac and (not frac.isdigit() or len(frac) > 2)):
        raise InvalidArgument(f"not an amount in yuan: {text!r}", reason="BAD_AMOUNT")
    fen = int(whole) * FEN_PER_YUAN + int(frac.ljust(2, "0") or "0")
    return -fen if negative else fen
