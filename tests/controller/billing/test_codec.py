from controller.billing.codec import decode_event, encode_event
from controller.billing.desk import TimePurchase

from .conftest import TUESDAY, local, wechat


def test_every_event_of_a_busy_evening_survives_a_round_trip_through_json(desk):
    desk.open(
        "B02",
        local(TUESDAY, 17),
        guests=3,
        purchase=TimePurchase(prepaid_minutes=150),
        tenders=[wechat(20000)],
    )
    order = desk.order("B02", local(TUESDAY, 18), ("beer", 6))
    desk.deliver("B02", order, local(TUESDAY, 18, 5))
    desk.comp("B02", order, local(TUESDAY, 18, 6))
    desk.guests("B02", 5, local(TUESDAY, 19))
    desk.open("A08", local(TUESDAY, 19))
    desk.merge("A08", "B02", local(TUESDAY, 19, 30))
    desk.discount("B02", local(TUESDAY, 20), percent_bp=1000)
    assert len({type(e) for e in desk.events}) >= 9
    for event in desk.events:
        assert decode_event(encode_event(event)) == event
