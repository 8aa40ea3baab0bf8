"""Sending a purchase order to its supplier: the :class:`SupplierChannel` interface, the
printable/exportable order (text, CSV, XLSX through openpyxl) and the shipped channels, a
file outbox and an e-mail outbox (an ``.eml`` per order for the venue's mail relay). A
supplier platform's API plugs in as another channel.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from controller.billing.money import format_yuan
from controller.inventory.model import StockItem, in_purchase_units

if TYPE_CHECKING:
    from controller.inventory.buying import PurchaseOrder

HEADER = ("item", "name", "quantity", "unit", "base units", "price", "amount")


@dataclass(frozen=True)
class SheetRow:
    item_id: str
    name: str
    quantity: str  # in purchase units where the item has one ("2箱")
    units: int  # purchase units (or base units)
    unit: str
    base_units: int
    price_fen: int  # per purchase unit
    amount_fen: int


@dataclass(frozen=True)
class PurchaseOrderSheet:
    po_id: str
    supplier: str
    contact: str
    phone: str
    email: str
    expected_on: str
    rows: tuple[SheetRow, ...]

    @property
    def total_fen(self) -> int:
        return sum(r.amount_fen for r in self.rows)

    @classmethod
    def of(cls, po: PurchaseOrder, items: Mapping[str, StockItem]) -> PurchaseOrderSheet:
        rows = []
        for line in po.lines:
            item = items[line.item_id]
            factor = max(item.purchase_factor, 1)
            units = -(-line.ordered // factor)
            rows.append(
                SheetRow(
                    item.item_id,
                    item.name,
                    in_purchase_units(item, line.ordered),
                    units,
                    item.purchase_unit or item.base_unit,
                    line.ordered,
                    line.price_fen,
                    line.price_fen * line.ordered // factor,
                )
            )
        s = po.supplier
        expected = po.expected_on.isoformat() if po.expected_on else ""
        return cls(po.po_id, s.name, s.contact, s.phone, s.email, expected, tuple(rows))

    def text(self) -> str:
        """The printable order."""
        out = [
            f"采购单 {self.po_id}",
            f"供应商 {self.supplier}  {self.contact} {self.phone}".rstrip(),
            f"到货日期 {self.expected_on}",
            "",
        ]
        for r in self.rows:
            out.append(
                f"{r.name:<12} {r.units:>5} {r.unit:<3} x {format_yuan(r.price_fen):>9}"
                f" = {format_yuan(r.amount_fen):>10}"
            )
        out += ["", f"合计 {format_yuan(self.total_fen)}"]
        return "\n".join(out) + "\n"

    def csv(self) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(HEADER)
        for r in self.rows:
            writer.writerow(
                (
                    r.item_id,
                    r.name,
                    r.units,
                    r.unit,
                    r.base_units,
                    format_yuan(r.price_fen),
                    format_yuan(r.amount_fen),
                )
            )
        writer.writerow(("", "合计", "", "", "", "", format_yuan(self.total_fen)))
        return buffer.getvalue().encode("utf-8-sig")  # Excel opens UTF-8 with a BOM

    def xlsx(self) -> bytes:
        from openpyxl import Workbook  # only when an order is exported

        book = Workbook()
        sheet = book.active
        sheet.title = "采购单"
        sheet.append(["采购单", self.po_id])
        sheet.append(["供应商", self.supplier, self.contact, self.phone])
        sheet.append(["到货日期", self.expected_on])
        sheet.append(list(HEADER))
        for r in self.rows:
            sheet.append(
                [
                    r.item_id,
                    r.name,
                    r.units,
                    r.unit,
                    r.base_units,
                    r.price_fen / 100,
                    r.amount_fen / 100,
                ]
            )
        sheet.append(["", "合计", "", "", "", "", self.total_fen / 100])
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()


class SupplierChannel(Protocol):
    name: str

    def send(self, sheet: PurchaseOrderSheet) -> str:
        """Deliver the order (or raise: the order stays a draft); returns where it went."""


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


@dataclass(frozen=True)
class FileOutbox:
    """Writes ``PO.txt``, ``PO.csv`` and ``PO.xlsx`` into a directory (print or forward)."""

    directory: Path
    name: str = "file"

    def send(self, sheet: PurchaseOrderSheet) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        base = self.directory / sheet.po_id
        _write(base.with_suffix(".txt"), sheet.text().encode("utf-8"))
        _write(base.with_suffix(".csv"), sheet.csv())
        _write(base.with_suffix(".xlsx"), sheet.xlsx())
        return str(base.with_suffix(".xlsx"))


@dataclass(frozen=True)
class EmailOutbox:
    """An ``.eml`` per order (the text in the body, the XLSX attached) in an outbox directory
    that the venue's mail relay sends from; a supplier without an e-mail is refused."""

    directory: Path
    sender: str = "purchasing@ktv.local"
    name: str = "email"

    def send(self, sheet: PurchaseOrderSheet) -> str:
        from ktv.errors import FailedPrecondition

        if not sheet.email:
            raise FailedPrecondition(
                f"supplier {sheet.supplier} has no e-mail address", reason="NO_SUPPLIER_EMAIL"
            )
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = sheet.email
        message["Subject"] = f"采购单 {sheet.po_id}"
        message.set_content(sheet.text())
        message.add_attachment(
            sheet.xlsx(),
            maintype="application",
            subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            filename=f"{sheet.po_id}.xlsx",
        )
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{sheet.po_id}.eml"
        _write(path, bytes(message))
        return str(path)
