"""``ktvctl report`` (a subprocess) against a real controller: tables, JSON, and the XLSX, CSV
and PNG exports, whose cells equal the JSON."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from controller.reports.convert import FROM_UNITS
from controller.reports.export import FORMATS, cell_value, text_value
from controller.reports.model import Unit
from ktv.v1 import reports_pb2 as pb
from tests.controller.billing.grpc_support import write_venue
from tests.support.controller import start_controller

KTVCTL = [sys.executable, "-m", "controller.ktvctl"]


@pytest.fixture(scope="module")
def ctl(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("ktvctl-reports") / "data"
    venue = write_venue(data_dir)
    with start_controller(data_dir, ["--venue-config", str(venue), "--no-mdns"]) as running:
        yield running


@pytest.fixture
def ktvctl(ctl, tmp_path):
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in ("KTV_CONTROLLER", "KTV_TOKEN")}
        env.update({"KTV_CONFIG_DIR": str(tmp_path / "cfg"), "COLUMNS": "200"})
        who = ["--controller", ctl.address, "--data-dir", str(ctl.data_dir)]
        return subprocess.run(
            [*KTVCTL, *who, *args], capture_output=True, text=True, timeout=60, env=env
        )

    return run


def ok(result):
    assert result.returncode == 0, result.stderr
    return result


def _unit(column: dict) -> Unit:
    return FROM_UNITS[pb.ReportUnit.Value(column["unit"])]


def _cell(cell: dict):
    return int(cell["number"]) if "number" in cell else cell.get("text", "")


def test_a_day_with_signed_credit_shows_apart_from_takings_and_exports_equal_the_json(
    ktvctl, tmp_path
):
    ok(ktvctl("open", "A08", "--guests", "2"))
    ok(ktvctl("order", "A08", "beer:6"))
    bill = json.loads(ok(ktvctl("bill", "A08", "--json")).stdout)
    due = int(bill["due_fen"])
    credit = f"{due // 2 // 100}"
    ok(ktvctl("pay", "A08", "--signed-credit", credit, "--account", "华为行政部"))
    ok(ktvctl("checkout", "A08", "--cash", "10000"))
    xlsx, csv_path, png = tmp_path / "day.xlsx", tmp_path / "day.csv", tmp_path / "day.png"
    report = json.loads(
        ok(
            ktvctl(
                "report",
                "day",
                "--json",
                "--xlsx",
                str(xlsx),
                "--csv",
                str(csv_path),
                "--png",
                str(png),
            )
        ).stdout
    )
    figures = {f["key"]: int(f["value"]) for f in report["figures"]}
    assert figures["revenue_fen"] == due
    assert figures["deferred_fen"] == int(credit) * 100
    assert figures["takings_fen"] == due - int(credit) * 100
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    wb = load_workbook(xlsx)
    summary = wb["概要"]
    assert summary.freeze_panes == "A2"
    by_key = {row[2].value: row[1] for row in summary.iter_rows(min_row=2) if row[2].value}
    for f in report["figures"]:
        unit = FROM_UNITS[pb.ReportUnit.Value(f["unit"])]
        assert by_key[f["key"]].value == cell_value(int(f["value"]), unit)
        assert by_key[f["key"]].number_format == FORMATS[unit]
    assert by_key["revenue_fen"].number_format == '"¥"#,##0.00;-"¥"#,##0.00'
    assert len(wb.sheetnames) == 1 + len(report["sections"])
    for section, name in zip(report["sections"], wb.sheetnames[1:], strict=True):
        sheet = wb[name]
        assert sheet.freeze_panes == "A2"
        header = [c.value for c in sheet[1]]
        assert header == [c["label"] for c in section["columns"]]
        got = [[c for c in row] for row in sheet.iter_rows(min_row=2)]
        assert len(got) == len(section.get("rows", []))
        for row, cells in zip(section.get("rows", []), got, strict=True):
            for col, cell, xl in zip(section["columns"], row["cells"], cells, strict=True):
                unit = _unit(col)
                assert xl.value == cell_value(_cell(cell), unit)
                if unit is not Unit.TEXT and xl.value is not None:
                    assert xl.number_format == FORMATS[unit]

    text = csv_path.read_text(encoding="utf-8-sig")
    blocks = [b for b in text.split("\n\n") if b.strip()]
    tenders = next(b for b in blocks if b.startswith("# 按支付方式"))
    rows = list(csv.reader(io.StringIO(tenders)))
    section = next(s for s in report["sections"] if s["key"] == "tenders")
    expected = [
        [
            text_value(_cell(c), _unit(col))
            for c, col in zip(r["cells"], section["columns"], strict=True)
        ]
        for r in section["rows"]
    ]
    assert rows[2:] == expected
    assert rows[2 + [r[0] for r in expected].index("signed_credit")][:2] == [
        "signed_credit",
        "签单挂账",
    ]


def test_the_month_as_a_table(ktvctl):
    out = ok(ktvctl("report", "month")).stdout
    for title in ("营业报表", "营业收入", "按支付方式", "畅销排行", "趋势", "同比/环比"):
        assert title in out


def test_a_bad_day_is_a_usage_error(ktvctl):
    result = ktvctl("report", "day", "2026-02-30")
    assert result.returncode == 2 and "not a day" in result.stderr
    result = ktvctl("report", "range", "2020-01-01", "2026-01-01")
    assert result.returncode == 2 and "400" in result.stderr


def test_a_shift_from_sign_in_to_handover(ktvctl):
    started = json.loads(ok(ktvctl("shift", "start", "--float", "500", "--json")).stdout)
    assert started["opening_fen"] == "50000" and started["drawer"] == "desk"
    again = ktvctl("shift", "start")
    assert again.returncode == 5 and "hand it over" in again.stderr
    ok(ktvctl("open", "A09", "--guests", "2"))
    done = json.loads(ok(ktvctl("checkout", "A09", "--cash", "1000", "--json")).stdout)
    sheet = json.loads(ok(ktvctl("shift", "show", "--json")).stdout)
    figures = {f["key"]: int(f["value"]) for f in sheet["figures"]}
    assert figures["expected_fen"] == 50000 + int(done["paid_fen"])
    short = str((figures["expected_fen"] - 100) / 100)
    refused = ktvctl("shift", "handover", short)
    assert refused.returncode == 2 and "say why" in refused.stderr
    handed = ok(ktvctl("shift", "handover", short, "--reason", "找零错了")).stdout
    assert "差额" in handed and "-1.00" in handed
    assert ktvctl("shift", "show").returncode == 3  # no open shift
    ok(ktvctl("clean-done", "A09"))
