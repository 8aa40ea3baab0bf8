"""Phone payments through a real controller process and the stand-in gateway on loopback:
StartPayment (intent + the gateway's order, signed both ways), and a gateway notification
POSTed to /api/pay/notify/{provider} until it is recorded on the bill (signature checked,
WeChat's resource decrypted), then the same notification again (a resend: recorded already).

    .venv/bin/python benchmarks/guest_pay.py [--rooms 60]

Prints p50/p99 per step and provider, in ms.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.progress import track  # noqa: E402
from rich.table import Table  # noqa: E402

from ktv.v1 import billing_pb2 as bpb  # noqa: E402
from ktv.v1 import billing_pb2_grpc, payments_pb2_grpc  # noqa: E402
from ktv.v1 import payments_pb2 as pb  # noqa: E402
from tests.support.controller import launch  # noqa: E402
from tests.support.pay_gateway import StandInGateway, paying_venue  # noqa: E402

TIMEOUT_S = 10.0


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rooms", type=int, default=60)
    args = parser.parse_args()
    gw = StandInGateway()
    samples: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        ctl = launch(data, ["--venue-config", str(paying_venue(data, gw)), "--no-mdns"])
        try:
            web_file = data / "controller.web.json"
            deadline = time.monotonic() + 30
            while not web_file.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            web_url = json.loads(web_file.read_text())["url"]
            channel = ctl.channel()
            billing = billing_pb2_grpc.BillingServiceStub(channel)
            payments = payments_pb2_grpc.PaymentServiceStub(channel)
            kw = {"metadata": ctl.admin_md, "timeout": TIMEOUT_S}
            with httpx.Client(timeout=TIMEOUT_S) as http:
                for i in track(range(args.rooms), description="paying rooms"):
                    provider = ("wechat", "alipay")[i % 2]
                    room = f"P{i:03d}"
                    ctl.add_room(room, tier="small")
                    billing.OpenSession(
                        bpb.OpenSessionRequest(
                            room=f"rooms/{room}", guest_count=4, request_id=uuid.uuid4().hex
                        ),
                        **kw,
                    )
                    start = time.perf_counter()
                    started = payments.StartPayment(
                        pb.StartPaymentRequest(
                            room=f"rooms/{room}", provider=provider, request_id=uuid.uuid4().hex
                        ),
                        **kw,
                    ).payment
                    took = (time.perf_counter() - start) * 1000
                    samples.setdefault(("StartPayment", provider), []).append(took)
                    payment_id = started.name.removeprefix("payments/")
                    if provider == "wechat":
                        gw.pay_wechat(payment_id)
                    else:
                        http.get(started.pay_url)  # the guest opens Alipay's page
                        gw.pay_alipay(payment_id)
                    for step in ("notify -> recorded", "resent notify"):
                        if provider == "wechat":
                            headers, body = gw.wechat_notification(payment_id)
                        else:
                            headers, body = gw.alipay_notification(payment_id)
                        start = time.perf_counter()
                        answer = http.post(
                            f"{web_url}/api/pay/notify/{provider}", content=body, headers=headers
                        )
                        took = (time.perf_counter() - start) * 1000
                        assert answer.status_code in (200, 204), answer.text
                        samples.setdefault((step, provider), []).append(took)
                    bill = billing.GetBill(bpb.GetBillRequest(room=f"rooms/{room}"), **kw).bill
                    assert bill.due_fen == 0 and bill.paid_fen == started.amount_fen
        finally:
            ctl.stop()
            gw.close()
    table = Table(title=f"phone payments, {args.rooms} rooms (ms)")
    for column in ("step", "provider", "n", "p50", "p99"):
        table.add_column(column)
    for (step, provider), values in samples.items():
        table.add_row(
            step,
            provider,
            str(len(values)),
            f"{pct(values, 0.5):.1f}",
            f"{pct(values, 0.99):.1f}",
        )
    Console().print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
