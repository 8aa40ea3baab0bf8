"""Every string the guest reads, in Simplified Chinese (default) and English.

``text(key, language)`` never raises for a known language: a missing key shows the key
itself, so a forgotten translation is visible on screen and caught by the tests.
"""

from __future__ import annotations

import enum


class Language(enum.Enum):
    ZH = "zh"
    EN = "en"


DEFAULT_LANGUAGE = Language.ZH

# key: (简体中文, English)
_STRINGS: dict[str, tuple[str, str]] = {
    # navigation
    "home": ("首页", "Home"),
    "search": ("点歌", "Search"),
    "singers": ("歌星", "Singers"),
    "queue": ("已点", "Queue"),
    "now_playing": ("正在播放", "Now playing"),
    "service": ("服务", "Service"),
    "language_toggle": ("English", "中文"),
    "offline": ("离线", "Offline"),
    "scan_to_join": ("手机扫码点歌", "Scan to add songs from your phone"),
    # welcome / states
    "welcome": ("欢迎光临", "Welcome"),
    "room": ("包厢", "Room"),
    "tier_small": ("小包", "Small room"),
    "tier_medium": ("中包", "Medium room"),
    "tier_large": ("大包", "Large room"),
    "tier_vip": ("豪华包", "VIP room"),
    "locked_hint": (
        "请到前台开房，或扫码预订",
        "Please check in at the front desk, or scan to book",
    ),
    "scan_to_book": ("扫码预订", "Scan to book"),
    "cleaning": ("清洁中", "Cleaning"),
    "cleaning_hint": ("包厢正在清洁，请稍候", "This room is being cleaned, please wait"),
    "maintenance": ("维护中", "Under maintenance"),
    "maintenance_hint": ("包厢暂停使用", "This room is out of service"),
    "emergency": ("紧急情况", "Emergency"),
    "emergency_hint": (
        "请保持冷静，按照工作人员指引从最近的安全出口离开",
        "Stay calm and leave by the nearest exit, following the staff",
    ),
    # home
    "hot_chart": ("热歌榜", "Hot chart"),
    "new_songs": ("新歌速递", "New songs"),
    "for_this_room": ("为你推荐", "For this room"),
    "by_language": ("语种", "Languages"),
    "categories": ("分类", "Categories"),
    "lang_mandarin": ("国语", "Mandarin"),
    "lang_cantonese": ("粤语", "Cantonese"),
    "lang_english": ("英语", "English"),
    "lang_japanese": ("日语", "Japanese"),
    "lang_korean": ("韩语", "Korean"),
    "lang_hokkien": ("闽南语", "Hokkien"),
    "lang_all": ("全部", "All"),
    # search
    "search_hint": ("输入歌名或歌星拼音首字母", "Type the initials of a song or singer"),
    "kb_initials": ("首字母", "Initials"),
    "kb_full": ("全拼", "Full"),
    "kb_clear": ("清空", "Clear"),
    "kb_back": ("删除", "Del"),
    "kb_space": ("空格", "Space"),
    "chars_any": ("字数", "Length"),
    "chars_n": ("{n}字", "{n} chars"),
    "chars_more": ("{n}字+", "{n}+ chars"),
    "results": ("共 {n} 首", "{n} songs"),
    "results_capped": ("超过 {n} 首", "over {n} songs"),
    "no_results": ("没有找到歌曲", "No songs found"),
    "add": ("点歌", "Add"),
    "add_top": ("优先", "Next"),
    "added": ("已点：{title}", "Queued: {title}"),
    "added_top": ("已优先：{title}", "Playing next: {title}"),
    # singers
    "singer_all": ("全部", "All"),
    "singer_male": ("男歌星", "Male"),
    "singer_female": ("女歌星", "Female"),
    "singer_group": ("组合", "Groups"),
    "singer_band": ("乐队", "Bands"),
    "singer_foreign": ("外语歌星", "Foreign"),
    "songs_count": ("{n} 首", "{n} songs"),
    "back": ("返回", "Back"),
    # queue
    "pending": ("已点", "Queued"),
    "sung": ("已唱", "Sung"),
    "to_top": ("置顶", "To top"),
    "up": ("上移", "Up"),
    "remove": ("删除", "Remove"),
    "sing_again": ("再唱", "Sing again"),
    "queue_empty": ("还没有点歌，去点一首吧", "Nothing queued yet: pick a song"),
    # now playing
    "skip": ("切歌", "Skip"),
    "replay": ("重唱", "Replay"),
    "pause": ("暂停", "Pause"),
    "resume": ("播放", "Play"),
    "original": ("原唱", "Vocal"),
    "accompaniment": ("伴唱", "Backing"),
    "vocal_unavailable": ("本歌曲无原伴唱切换", "No vocal/backing switch for this song"),
    "key": ("音调", "Key"),
    "key_unsupported": ("本机不支持变调", "Key change not supported here"),
    "volume": ("音量", "Volume"),
    "mute": ("静音", "Mute"),
    "unmute": ("取消静音", "Unmute"),
    "nothing_playing": ("暂无播放，请点歌", "Nothing playing: add a song"),
    "up_next": ("下一首：{title}", "Up next: {title}"),
    "no_lyrics": ("本歌曲暂无歌词", "No lyrics for this song"),
    # ambience: atmosphere sounds (气氛)
    "effect_applause": ("掌声", "Applause"),
    "effect_cheers": ("欢呼", "Cheers"),
    "effect_whistle": ("口哨", "Whistle"),
    "effect_laughter": ("笑声", "Laughter"),
    # service
    "call_service": ("呼叫服务", "Call service"),
    "sold_out": ("售罄", "Sold out"),
    "call_water": ("加水", "Water"),
    "call_microphone": ("话筒", "Microphone"),
    "call_tissue": ("纸巾", "Tissues"),
    "lights": ("灯光：{scene}", "Lights: {scene}"),
    "scene_welcome": ("迎宾", "Welcome"),
    "scene_singing": ("唱歌", "Singing"),
    "scene_party": ("派对", "Party"),
    "scene_cleaning": ("清洁", "Cleaning"),
    "scene_off": ("关闭", "Off"),
    "service_sent": ("已呼叫，请稍候", "Called: staff are notified"),
    "service_acked": ("服务员马上到", "Staff are on the way"),
    "menu": ("酒水小吃", "Drinks & snacks"),
    "my_bill": ("我的账单", "My bill"),
    "member": ("会员", "Members"),
    "member_sign_in": ("会员登录", "Member sign-in"),
    "phone": ("手机号", "Phone"),
    "pin": ("密码", "PIN"),
    "sign_in": ("登录", "Sign in"),
    "points": ("积分", "Points"),
    "balance": ("余额", "Balance"),
    "total": ("合计", "Total"),
    "order": ("下单", "Order"),
    "ordered": ("已下单", "Ordered"),
    "paid": ("已付", "Paid"),
    "due": ("待付", "Due"),
    "unavailable": ("暂不可用：前台系统未连接", "Unavailable: the front desk cannot be reached"),
    "loading": ("加载中…", "Loading…"),
}


def text(key: str, language: Language = DEFAULT_LANGUAGE, **values: object) -> str:
    """The guest-facing string for ``key``; ``{n}``-style fields are filled from ``values``."""
    pair = _STRINGS.get(key)
    if pair is None:
        return key
    template = pair[0] if language is Language.ZH else pair[1]
    return template.format(**values) if values else template


def all_keys() -> frozenset[str]:
    return frozenset(_STRINGS)


def language_name(code: str, language: Language = DEFAULT_LANGUAGE) -> str:
    """Catalog language code (``"mandarin"``) as shown to guests (``国语``)."""
    return text(f"lang_{code}", language) if f"lang_{code}" in _STRINGS else code


def tier_name(tier: str, language: Language = DEFAULT_LANGUAGE) -> str:
    return text(f"tier_{tier}", language) if f"tier_{tier}" in _STRINGS else tier
