"""Home shelves and quick entries, filters, singer browse and a singer's page."""

from __future__ import annotations


def test_home_shows_hot_new_and_recommended_shelves_and_a_card_tap_queues(guest, room):
    home = guest.session.screens["home"]
    guest.until(lambda: len(home.ids.hot_shelf.children) == 12)
    assert len(home.ids.new_shelf.children) == 12
    guest.shot("home")
    card = home.ids.hot_shelf.children[-1]  # first on the shelf: 七里香
    guest.tap(card)
    guest.until(lambda: guest.app.playback.song is not None)
    assert guest.app.playback.song.title == "七里香"


def test_language_quick_entry_opens_search_filtered_to_that_language(guest, catalog):
    quick = guest.session.screens["home"].ids.quick.children
    guest.tap(next(button for button in quick if button.text == "粤语"))
    search = guest.session.screens["search"]
    guest.until(lambda: guest.session.ids.content.current == "search")
    guest.until(lambda: search.total == 2)
    assert search.language == "cantonese"
    assert {row["title"] for row in search.ids.results.data} == {"海阔天空", "光辉岁月"}
    assert search.ids.language_filter.text == "粤语"


def test_char_count_filter_keeps_only_titles_of_that_length(guest, catalog):
    guest.tap(guest.session.ids.tab_search)
    search = guest.session.screens["search"]
    search.ids.char_filter.text = "2字"
    guest.until(lambda: search.char_count == 2 and search.total == 4)
    assert {row["title"] for row in search.ids.results.data} == {"晴天", "稻香", "后来", "朋友"}
    guest.shot("two-characters")


def test_singers_by_category_and_initials_then_a_singers_songs(guest):
    guest.tap(guest.session.ids.tab_singers)
    singers = guest.session.screens["singers"]
    guest.tap(singers.ids.kind_female)
    guest.until(lambda: singers.loaded == 3)
    guest.shot("female")
    guest.type_keys(singers.ids.keyboard, "d")
    guest.until(lambda: singers.loaded == 1)
    guest.tap(guest.row(singers.ids.grid, name="邓丽君").ids.name)
    page = guest.session.screens["singer"]
    guest.until(lambda: page.total == 2)
    assert guest.session.ids.content.current == "singer"
    assert {row["title"] for row in page.ids.results.data} == {"月亮代表我的心", "甜蜜蜜"}
    guest.shot("singer-page")
    guest.tap(page.ids.back)
    assert guest.session.ids.content.current == "singers"


def test_thousands_of_results_build_only_a_screenful_of_rows_and_page_on_scroll(guest, catalog):
    from dataclasses import replace

    from tests.room_agent.ui.conftest import SHELF

    base = SHELF[0]
    catalog.shelf = [
        replace(base, song=replace(base.song, song_id=f"s-{i}", title=f"七里香 {i}"))
        for i in range(5000)
    ]
    guest.tap(guest.session.ids.tab_search)
    search = guest.session.screens["search"]
    guest.type_keys(search.ids.keyboard, "q")
    guest.until(lambda: search.total == 5000)
    results = search.ids.results
    assert len(results.data) == 100  # one page per keystroke
    rows = results.children[0].children
    assert len(rows) < 20
    results.scroll_y = 0  # the guest flicks to the end: the next page comes in
    guest.until(lambda: len(results.data) == 200)
    assert results.data[150]["title"] == "七里香 150"
    assert catalog.requests[-1].offset == 100
    assert len(results.children[0].children) < 20


def test_foreign_singers_are_those_who_mostly_sing_in_other_languages(guest, room, desk):
    from tests.room_agent.ui.conftest import SHELF, _song
    from tests.room_agent.ui.doubles import ShelfCatalog, ShelfSong

    extra = [
        ShelfSong(_song("u-fl", "First Love", "宇多田光", "japanese"), "fl", "ydtg", "female"),
        ShelfSong(_song("u-gg", "光", "宇多田光"), "g", "ydtg", "female"),
        ShelfSong(_song("u-am", "Automatic", "宇多田光", "japanese"), "a", "ydtg", "female"),
        ShelfSong(_song("w-ld", "Last Dance", "伍佰", "english"), "ld", "wb", "male"),
        ShelfSong(_song("w-tt", "突然的自我", "伍佰"), "trdzw", "wb", "male"),
    ]
    guest.app.attach(room, ShelfCatalog([*SHELF, *extra]), desk)
    guest.tap(guest.session.ids.tab_singers)
    singers = guest.session.screens["singers"]
    guest.tap(singers.ids.kind_foreign)
    guest.until(lambda: singers.loaded == 2)
    assert {row["name"] for row in singers.ids.grid.data} == {"Carpenters", "宇多田光"}
    assert singers.ids.kind_foreign.selected
    guest.shot("foreign")
    guest.type_keys(singers.ids.keyboard, "y")  # initials narrow the category
    guest.until(lambda: singers.loaded == 1)
    assert singers.ids.grid.data[0]["name"] == "宇多田光"
    guest.tap(singers.ids.kind_male)  # 伍佰 sings half in English: a male singer, not foreign
    guest.until(lambda: singers.loaded == 0)
    guest.tap(singers.ids.keyboard.keys["clear"])
    guest.until(lambda: "伍佰" in {row["name"] for row in singers.ids.grid.data})
