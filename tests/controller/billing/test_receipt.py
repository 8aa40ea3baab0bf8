from controller.billing.receipt import display_width, escpos, render_receipt, two_columns

from .conftest import TUESDAY, cash, local, wechat


def test_chinese_characters_take_two_columns():
    assert display_width("青岛啤酒 x6") == 11
    line = two_columns("青岛啤酒", "60.00", 32)
    assert display_width(line) == 32 and line.endswith("60.00")


def test_long_labels_are_clipped_so_the_amount_stays_on_the_line():
    line = two_columns("房费 A08 黄金档 超长超长超长超长超长超长的名字", "1234.56", 32)
    assert display_width(line) <= 32 and line.endswith("1234.56")


def test_a_58_mm_and_an_80_mm_receipt_fit_their_paper(desk):
    desk.open("B02", local(TUESDAY, 19), guests=6)
    desk.order("B02", local(TUESDAY, 19, 5), ("beer", 6), ("fruit", 2))
    bill = desk.checkout("B02", local(TUESDAY, 21), wechat(50000), cash(50000))
    tab = desk.tab("B02")
    for width, columns in ((58, 32), (80, 48)):
        text = render_receipt(bill, tab, venue_name="金色KTV", width_mm=width)
        assert max(display_width(ln) for ln in text.splitlines()) <= columns
        assert "青岛啤酒 x6" in text and "结账单" in text and "找零" in text
        assert text.splitlines()[0].strip() == "金色KTV"


def test_esc_pos_bytes_start_with_init_speak_gb18030_and_cut():
    data = escpos("青岛啤酒  60.00\n")
    assert data.startswith(b"\x1b@") and data.endswith(b"\x1dV\x42\x00")
    assert "青岛啤酒".encode("gb18030") in data


def test_on_narrow_paper_the_hourly_rate_gives_way_to_the_amount(desk):
    desk.open("B02", local(TUESDAY, 17), guests=2)
    bill = desk.bill("B02", local(TUESDAY, 20))
    narrow = render_receipt(bill, desk.tab("B02"), venue_name="KTV", width_mm=58)
    wide = render_receipt(bill, desk.tab("B02"), venue_name="KTV", width_mm=80)
    assert "房费 B02 黄金档 2:00" in narrow and "@180.00/h" not in narrow
    assert "房费 B02 黄金档 2:00 @180.00/h" in wide
