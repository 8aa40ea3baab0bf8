"""Receipts for 58 mm (32 columns) and 80 mm (48 columns) thermal paper. Chinese characters
take two columns, so widths are counted the way the printer counts them."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from controller.billing.bill import Bill, BillLine, LineKind
from controller.billing.money import format_yuan
from controller.billing.tab import Tab
from ktv.errors import InvalidArgument
from ktv.limits import RECEIPT_LINES_MAX

COLUMNS_BY_WIDTH_MM = {58: 32, 80: 48}
ESC_INIT = b"\x1b@"
ESC_CENTER, ESC_LEFT = b"\x1ba\x01", b"\x1ba\x00"
GS_CUT = b"\x1dV\x42\x00"  # feed and partial cut
TENDER_LABELS = {
    "cash": "现金",
    "bank_card": "银行卡",
    "wechat": "微信",
    "alipay": "支付宝",
    "unionpay_qr": "云闪付",
    "stored_value": "会员储值",
    "hospitality": "招待",
    "signed_credit": "签单",
}


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def clip(text: str, columns: int) -> str:
    out, used = "", 0
    for ch in text:
        w = display_width(ch)
        if used + w > columns:
            break
        out, used = out + ch, used + w
    return out


def two_columns(left: str, right: str, columns: int) -> str:
    """``left`` clipped so ``right`` fits flush right on the same line."""
    left = clip(left, columns - display_width(right) - 1)
    gap = columns - display_width(left) - display_width(right)
    return left + " " * gap + right


def center(text: str, columns: int) -> str:
    text = clip(text, columns)
    pad = (columns - display_width(text)) // 2
    return " " * pad + text


def render_receipt(
    bill: Bill, tab: Tab, *, venue_name: str, width_mm: int = 58, local_time: datetime | None = None
) -> str:
    columns = COLUMNS_BY_WIDTH_MM.get(width_mm)
    if columns is None:
        raise InvalidArgument("receipt width must be 58 or 80 (mm)", reason="BAD_WIDTH")
    rule = "-" * columns
    when = (local_time or bill.as_of).strftime("%Y-%m-%d %H:%M")
    lines = [
        center(venue_name, columns),
        center("结账单" if bill.closed else "消费明细", columns),
        rule,
        two_columns("房间 " + ",".join(bill.rooms), f"{tab.guests}人", columns),
        two_columns("单号", bill.tab_id[-12:], columns),
        two_columns("时间", when, columns),
        rule,
    ]
    shown = bill.lines[:RECEIPT_LINES_MAX]
    if len(bill.lines) > len(shown):  # the paper stays a receipt: the rest as one line
        rest = sum(line.amount_fen for line in bill.lines[len(shown) :])
        left_out = len(bill.lines) - len(shown)
        shown = (*shown, BillLine(LineKind.ORDER, f"另有 {left_out} 行", rest))
    for line in shown:
        label = f"{line.label} x{line.quantity}" if line.quantity > 1 else line.label
        amount = format_yuan(line.amount_fen)
        if display_width(label) + display_width(amount) + 1 > columns:
            label = label.split(" @")[0]  # narrow paper: drop the hourly rate, keep the time
        lines.append(two_columns(label, amount, columns))
    lines += [
        rule,
        two_columns("合计", format_yuan(bill.total_fen), columns),
    ]
    for p in tab.payments:
        name = TENDER_LABELS.get(p.tender.value, p.tender.value)
        if p.amount_fen < 0:
            name = f"退款({name})"
        lines.append(two_columns(name, format_yuan(p.amount_fen), columns))
        if p.change_fen:
            lines.append(
                two_columns(
                    "  收现/找零",
                    f"{format_yuan(p.tendered_fen)}/{format_yuan(p.change_fen)}",
                    columns,
                )
            )
    lines.append(two_columns("已付", format_yuan(bill.paid_fen), columns))
    if bill.due_fen:
        lines.append(two_columns("应付", format_yuan(bill.due_fen), columns))
    lines += [rule, center("谢谢光临", columns), ""]
    return "\n".join(lines)


def escpos(text: str) -> bytes:
    """ESC/POS bytes for the receipt text (GB18030, the encoding Chinese printers speak)."""
    return ESC_INIT + text.encode("gb18030", errors="replace") + b"\n\n\n" + GS_CUT
