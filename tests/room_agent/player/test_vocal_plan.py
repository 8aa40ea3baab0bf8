from __future__ import annotations

from media_index.model import Channel, Song, VocalMode
from room_agent.core.ports import VocalSwitch
from room_agent.player.deck import StereoMode
from room_agent.player.shadow import VocalMethod, plain_fallback, plan_for


def _song(**fields: object) -> Song:
    return Song(song_id="s1", title="t", artists=("a",), path="/x.mkv", **fields)  # type: ignore[arg-type]


def test_a_two_track_song_plays_its_accompaniment_on_the_shadow_deck() -> None:
    song = _song(vocal_mode=VocalMode.TRACKS, vocal_track=1, accompaniment_track=0)
    plan = plan_for(song, shadow_allowed=True, stereo_presettable=True)
    assert plan.method is VocalMethod.SHADOW_TRACKS
    assert plan.main_track(VocalSwitch.ACCOMPANIMENT) == 1  # main keeps the vocal track
    assert plan.accompaniment_track == 0


def test_a_left_right_song_selects_channels_on_each_deck() -> None:
    song = _song(vocal_mode=VocalMode.CHANNELS, vocal_channel=Channel.LEFT)
    plan = plan_for(song, shadow_allowed=True, stereo_presettable=True)
    assert plan.method is VocalMethod.SHADOW_CHANNELS
    assert plan.original_stereo is StereoMode.LEFT
    assert plan.accompaniment_stereo is StereoMode.RIGHT


def test_without_a_second_decoder_the_plain_switch_is_used_and_says_why() -> None:
    song = _song(vocal_mode=VocalMode.TRACKS, vocal_track=0, accompaniment_track=1)
    plan = plan_for(song, shadow_allowed=False, stereo_presettable=True)
    assert plan.method is VocalMethod.PLAIN_TRACKS
    assert plan.main_track(VocalSwitch.ACCOMPANIMENT) == 1
    assert plan.why_not_seamless


def test_channels_without_libvlccore_fall_back_to_the_plain_channel_switch() -> None:
    song = _song(vocal_mode=VocalMode.CHANNELS, vocal_channel=Channel.RIGHT)
    plan = plan_for(song, shadow_allowed=True, stereo_presettable=False)
    assert plan.method is VocalMethod.PLAIN_CHANNELS
    assert plan.main_stereo(VocalSwitch.ACCOMPANIMENT) is StereoMode.LEFT


def test_a_song_with_one_mix_has_no_vocal_switch() -> None:
    plan = plan_for(_song(), shadow_allowed=True, stereo_presettable=True)
    assert plan.method is VocalMethod.NONE


def test_a_tracks_song_naming_the_same_track_twice_has_no_vocal_switch() -> None:
    song = _song(vocal_mode=VocalMode.TRACKS, vocal_track=0, accompaniment_track=0)
    assert plan_for(song, shadow_allowed=True, stereo_presettable=True).method is VocalMethod.NONE


def test_a_failed_shadow_deck_turns_the_plan_into_the_plain_switch() -> None:
    song = _song(vocal_mode=VocalMode.TRACKS, vocal_track=0, accompaniment_track=1)
    plan = plain_fallback(plan_for(song, shadow_allowed=True, stereo_presettable=True), "boom")
    assert plan.method is VocalMethod.PLAIN_TRACKS
    assert plan.why_not_seamless == "boom"


def test_a_video_song_with_a_vocal_switch_plays_its_picture_on_a_deck_of_its_own() -> None:
    song = _song(vocal_mode=VocalMode.TRACKS, vocal_track=0, accompaniment_track=1, has_video=True)
    plan = plan_for(song, shadow_allowed=True, stereo_presettable=True)
    assert plan.picture_deck
    assert plain_fallback(plan, "shadow deck ended early").picture_deck  # the video goes on


def test_a_one_mix_video_song_and_a_plain_switch_keep_the_video_on_the_main_deck() -> None:
    one_mix = plan_for(_song(has_video=True), shadow_allowed=True, stereo_presettable=True)
    assert not one_mix.picture_deck
    song = _song(vocal_mode=VocalMode.CHANNELS, vocal_channel=Channel.LEFT, has_video=True)
    plain = plan_for(song, shadow_allowed=False, stereo_presettable=True)
    assert not plain.picture_deck
