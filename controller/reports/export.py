"""A report as an XLSX workbook (one sheet per section, real number formats, frozen headers),
as CSV, and as a PNG chart of the day or the period (matplotlib, CJK font).

Money is fen in a report; a spreadsheet shows yuan: the cell holds fen / 100 with the format
``¥#,##0.00`` (so sums in Excel are right); ratios are fractions with ``0.00%``; durations
are durations with ``[h]:mm``. :func:`cell_value` is that mapping; the tests hold the workbook
to it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from controller.reports.model import Report, Section, Unit

FORMATS = {
    Unit.FEN: '"¥"#,##0.00;-"¥"#,##0.00',
    Unit.COUNT: "#,##0",
    Unit.BP: "0.00%",
    Unit.SECONDS: "[h]:mm",
    Unit.TEXT: "@",
}
SHEET_TITLE_MAX = 31  # Excel's limit


def cell_value(value: int | str, unit: Unit) -> float | int | str | timedelta | None:
    """What a spreadsheet cell holds for a report value."""
    if isinstance(value, str):
        return value or None
    if unit is Unit.FEN:
        return float(Decimal(value) / 100)
    if unit is Unit.BP:
        return float(Decimal(value) / 10_000)
    if unit is Unit.SECONDS:
        return timedelta(seconds=value)  # a duration cell: [h]:mm
    return value


def text_value(value: int | str, unit: Unit) -> str:
    """What a CSV cell or a terminal table shows."""
    if isinstance(value, str):
        return value
    if unit is Unit.FEN:
        sign = "-" if value < 0 else ""
        return f"{sign}{abs(value) // 100}.{abs(value) % 100:02d}"
    if unit is Unit.BP:
        return f"{Decimal(value) / 100:.2f}%"
    if unit is Unit.SECONDS:
        return f"{value // 3600}:{value % 3600 // 60:02d}"
    return str(value)


def _figures_section(report: Report) -> Section:
    from controller.reports.model import Column

    return Section(
        "figures",
        "概要",
        (Column("key", "代码"), Column("label", "项目"), Column("value", "数值")),
        tuple((f.key, f.label, f.value) for f in report.figures),
    )


def write_xlsx(report: Report, path: Path, progress: Callable[[str], None] | None = None) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = "概要"
    ws.append(["项目", "数值", "代码"])
    for f in report.figures:
        ws.append([f.label, cell_value(f.value, f.unit), f.key])
        ws.cell(ws.max_row, 2).number_format = FORMATS[f.unit]
    ws.append([])
    ws.append(["期间", f"{report.first_day} ~ {report.last_day}", report.kind.value])
    if report.closed_at:
        ws.append(["已日结", report.closed_at, report.closed_by])
    ws.freeze_panes = "A2"
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 18
    for c in ws[1]:
        c.font = Font(bold=True)
    used = {"概要"}
    for section in report.sections:
        if progress:
            progress(section.title)
        title = section.title[:SHEET_TITLE_MAX].replace("/", "-")
        while title in used:
            title = (title[: SHEET_TITLE_MAX - 1]) + "_"
        used.add(title)
        sheet = wb.create_sheet(title)
        sheet.append([c.label for c in section.columns])
        for c in sheet[1]:
            c.font = Font(bold=True)
        for row in section.rows:
            sheet.append([cell_value(v, c.unit) for v, c in zip(row, section.columns, strict=True)])
        for i, col in enumerate(section.columns, start=1):
            if col.unit is Unit.TEXT:
                continue
            for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = FORMATS[col.unit]
        for i, col in enumerate(section.columns, start=1):
            letter = sheet.cell(1, i).column_letter
            sheet.column_dimensions[letter].width = max(10, min(40, 2 * len(col.label) + 4))
        sheet.freeze_panes = "A2"
    wb.save(path)


def csv_text(report: Report) -> str:
    """Every section one after another: its title, its header, its rows, a blank line."""
    out = io.StringIO()
    w = csv.writer(out)
    for section in (_figures_section(report), *report.sections):
        w.writerow([f"# {section.title}", section.key])
        w.writerow([c.label for c in section.columns])
        if section.key == "figures":
            units = {f.key: f.unit for f in report.figures}
            for key, label, value in section.rows:
                w.writerow([key, label, text_value(value, units[str(key)])])
        else:
            for row in section.rows:
                w.writerow(
                    [text_value(v, c.unit) for v, c in zip(row, section.columns, strict=True)]
                )
        w.writerow([])
    return out.getvalue()


def write_png(report: Report, path: Path) -> None:
    """The morning picture: revenue by category and takings by tender (a day), or the trend
    (a period)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    for name in ("Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei"):
        try:
            font_manager.findfont(name, fallback_to_default=False)
        except ValueError:
            continue
        plt.rcParams["font.family"] = [name]
        break
    fig, axes = plt.subplots(1, 2, figsize=(12, 5), dpi=100)
    revenue = report.section("revenue")
    cats = [
        r
        for r in revenue.rows
        if r[0] not in ("gross", "revenue", "comps", "discounts", "rounding")
    ]
    axes[0].barh([str(r[1]) for r in cats], [int(r[2]) / 100 for r in cats], color="#c0392b")
    axes[0].set_title("营业收入 (元)")
    if report.kind.value == "day":
        tenders = report.section("tenders")
        labels = [str(r[1]) for r in tenders.rows if int(r[6]) > 0]
        values = [int(r[6]) / 100 for r in tenders.rows if int(r[6]) > 0]
        if values:
            axes[1].pie(values, labels=labels, autopct="%1.0f%%")
        axes[1].set_title("收款方式")
    else:
        trend = report.section("trend")
        axes[1].plot(
            [str(r[0]) for r in trend.rows], [int(r[1]) / 100 for r in trend.rows], marker="o"
        )
        axes[1].set_title("营业额趋势 (元)")
        axes[1].tick_params(axis="x", rotation=60)
    title = (
        f"{report.first_day}"
        if report.first_day == report.last_day
        else (f"{report.first_day} ~ {report.last_day}")
    )
    fig.suptitle(
        f"营业报表 {title}  营业额 ¥{text_value(report.figure('revenue_fen'), Unit.FEN)}"
        f"  实收 ¥{text_value(report.figure('takings_fen'), Unit.FEN)}"
    )
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
