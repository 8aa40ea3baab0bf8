"""ReportService through a real controller process and real gRPC sockets."""

from __future__ import annotations

import grpc
import pytest

from controller.api.errors import reason_of
from ktv.v1 import auth_pb2, reports_pb2_grpc
from ktv.v1 import billing_pb2 as bpb
from ktv.v1 import reports_pb2 as pb
from tests.controller.billing.grpc_support import TIMEOUT_S, billing_stub, cash, rid, write_venue
from tests.support.controller import bearer, start_controller


@pytest.fixture(scope="module")
def ctl(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("reports-api") / "data"
    venue = write_venue(data_dir)
    with start_controller(data_dir, ["--venue-config", str(venue), "--no-mdns"]) as running:
        yield running


@pytest.fixture(scope="module")
def staff(ctl):
    return {
        "cashier": bearer(ctl.add_staff("li", auth_pb2.ROLE_CASHIER)),
        "manager": bearer(ctl.add_staff("wang", auth_pb2.ROLE_MANAGER)),
        "waiter": bearer(ctl.add_staff("zhao", auth_pb2.ROLE_WAITER)),
    }


@pytest.fixture(scope="module")
def reports(ctl):
    return reports_pb2_grpc.ReportServiceStub(ctl.channel())


def figures(report) -> dict[str, int]:
    return {f.key: f.value for f in report.figures}


def test_a_checkout_shows_in_todays_day_close(ctl, staff, reports):
    ctl.add_room("R01", tier="small")
    billing = billing_stub(ctl.channel())
    md = staff["cashier"]
    before = figures(reports.GetDayReport(pb.GetDayReportRequest(), metadata=md).report)
    billing.OpenSession(
        bpb.OpenSessionRequest(room="rooms/R01", guest_count=2, request_id=rid()),
        metadata=md,
        timeout=TIMEOUT_S,
    )
    billing.PlaceOrder(
        bpb.PlaceOrderRequest(
            room="rooms/R01", items=[bpb.OrderItem(sku="beer", quantity=2)], request_id=rid()
        ),
        metadata=md,
        timeout=TIMEOUT_S,
    )
    done = billing.Checkout(
        bpb.CheckoutRequest(room="rooms/R01", tenders=[cash(10**6)], request_id=rid()),
        metadata=md,
        timeout=TIMEOUT_S,
    )
    day = reports.GetDayReport(pb.GetDayReportRequest(), metadata=md, timeout=TIMEOUT_S).report
    after = figures(day)
    assert after["bills"] == before["bills"] + 1
    assert after["revenue_fen"] - before["revenue_fen"] == done.bill.total_fen
    assert after["takings_fen"] - before["takings_fen"] == done.bill.total_fen
    assert day.timezone == "Asia/Shanghai" and not day.closed
    tenders = next(s for s in day.sections if s.key == "tenders")
    assert [c.key for c in tenders.columns][:3] == ["tender", "label", "class"]
    assert tenders.rows[0].cells[1].text == "现金"


def test_period_reports_are_for_managers(staff, reports):
    request = pb.GetPeriodReportRequest(period=pb.REPORT_PERIOD_MONTH)
    with pytest.raises(grpc.RpcError) as err:
        reports.GetPeriodReport(request, metadata=staff["cashier"], timeout=TIMEOUT_S)
    assert err.value.code() is grpc.StatusCode.PERMISSION_DENIED
    month = reports.GetPeriodReport(request, metadata=staff["manager"], timeout=TIMEOUT_S)
    assert month.report.period == pb.REPORT_PERIOD_MONTH
    assert {s.key for s in month.report.sections} >= {"trend", "compare", "best_sellers"}
    with pytest.raises(grpc.RpcError) as err:
        reports.GetDayReport(pb.GetDayReportRequest(), metadata=staff["waiter"])
    assert err.value.code() is grpc.StatusCode.PERMISSION_DENIED


@pytest.mark.parametrize(
    ("request_", "reason"),
    [
        (pb.GetPeriodReportRequest(period=pb.REPORT_PERIOD_WEEK, day="2026-13-01"), "BAD_DAY"),
        (pb.GetPeriodReportRequest(period=pb.REPORT_PERIOD_WEEK, day="x" * 5000), "BAD_DAY"),
        (pb.GetPeriodReportRequest(), "BAD_PERIOD"),
        (pb.GetPeriodReportRequest(period=pb.REPORT_PERIOD_RANGE, day="2026-01-01"), "BAD_DAY"),
        (
            pb.GetPeriodReportRequest(
                period=pb.REPORT_PERIOD_RANGE, day="2020-01-01", last_day="2026-01-01"
            ),
            "RANGE_TOO_LONG",
        ),
    ],
)
def test_bad_periods_are_refused_with_a_reason(staff, reports, request_, reason):
    with pytest.raises(grpc.RpcError) as err:
        reports.GetPeriodReport(request_, metadata=staff["manager"], timeout=TIMEOUT_S)
    assert err.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert reason_of(err.value) == reason


def test_closing_today_is_refused_and_closing_yesterday_twice_is_one_close(staff, reports):
    md = staff["manager"]
    with pytest.raises(grpc.RpcError) as err:
        today = reports.GetDayReport(pb.GetDayReportRequest(), metadata=md).report.first_day
        reports.CloseDay(pb.CloseDayRequest(day=today, request_id=rid()), metadata=md)
    assert err.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert reason_of(err.value) == "DAY_NOT_OVER"
    first = reports.CloseDay(pb.CloseDayRequest(request_id=rid()), metadata=md, timeout=TIMEOUT_S)
    assert first.report.closed and first.report.closed_by == "wang"
    again = reports.CloseDay(pb.CloseDayRequest(request_id=rid()), metadata=md, timeout=TIMEOUT_S)
    assert again.report == first.report
    with pytest.raises(grpc.RpcError) as err:
        reports.CloseDay(pb.CloseDayRequest(request_id=rid()), metadata=staff["cashier"])
    assert err.value.code() is grpc.StatusCode.PERMISSION_DENIED
