"""The demo song book: well-known titles and singers, with made-up placeholder lyric lines
(never the real lyrics). Each entry says how its file is built and how its metadata is given."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class FileForm(enum.Enum):
    MKV_TRACKS = "mkv_tracks"  # video + track 0 original vocal + track 1 accompaniment
    MPG_TRACKS = "mpg_tracks"  # MPEG-2 program stream, two untitled audio tracks (sidecar says)
    MP3_SPLIT = "mp3_split"  # stereo MP3: accompaniment left, vocal right (KTV convention)
    MP3_MIX = "mp3_mix"  # one mix, no vocal separation


class MetaSource(enum.Enum):
    SIDECAR = "sidecar"  # <stem>.ktv.toml next to an ASCII-named file
    FILE_NAME = "file_name"  # 歌手 - 歌名 (版本).ext, nothing else
    TAGS = "tags"  # embedded title/artist tags, anonymous file name


class LyricsKind(enum.Enum):
    NONE = "none"
    LINES = "lines"  # [mm:ss.xx] per line, UTF-8
    WORDS = "words"  # enhanced LRC with <mm:ss.xx> word timings, UTF-8
    GBK = "gbk"  # line timings, GBK-encoded (as many old KTV lyric files are)


@dataclass(frozen=True)
class DemoSong:
    stem: str
    title: str
    artists: tuple[str, ...]
    language: str
    voice: str  # espeak-ng voice: cmn (fed pinyin), en, ja, ko
    form: FileForm
    meta: MetaSource
    lyrics: LyricsKind
    lines: tuple[str, ...]
    genre: str = "pop"
    artist_kind: str = "unknown"
    popularity: int = 0
    version: str = ""  # (Live), (伴奏版)... shown in the file name
    cdg: bool = False  # an MP3 with CD+G graphics next to it (the .cdg of the same name)


def _zh(title: str) -> tuple[str, ...]:
    return (title, "我们一起唱", "今晚的歌声", "明天再相见")


def _en(title: str) -> tuple[str, ...]:
    return (title, "sing it with me", "one more time tonight", "la la la la")


M, S, N, T = FileForm.MKV_TRACKS, FileForm.MP3_SPLIT, FileForm.MP3_MIX, FileForm.MPG_TRACKS
SC, FN, TG = MetaSource.SIDECAR, MetaSource.FILE_NAME, MetaSource.TAGS
L, W, G, X = LyricsKind.LINES, LyricsKind.WORDS, LyricsKind.GBK, LyricsKind.NONE

SONGS: tuple[DemoSong, ...] = (
    DemoSong("daoxiang", "稻香", ("周杰伦",), "mandarin", "cmn", M, SC, W, _zh("稻香"),
             artist_kind="male", popularity=90),
    DemoSong("qingtian", "晴天", ("周杰伦",), "mandarin", "cmn", M, SC, L, _zh("晴天"),
             artist_kind="male", popularity=85),
    DemoSong("qianlizhiwai", "千里之外", ("周杰伦", "费玉清"), "mandarin", "cmn", M, SC, W,
             _zh("千里之外"), genre="chinese-style", artist_kind="male", popularity=60),
    DemoSong("houlai", "后来", ("刘若英",), "mandarin", "cmn", S, FN, L, _zh("后来"),
             artist_kind="female", popularity=80),
    DemoSong("yueliang", "月亮代表我的心", ("邓丽君",), "mandarin", "cmn", S, FN, G,
             _zh("月亮代表我的心"), genre="classic", artist_kind="female", popularity=75,
             version="Live"),
    DemoSong("tianmimi", "甜蜜蜜", ("邓丽君",), "mandarin", "cmn", N, TG, L, _zh("甜蜜蜜"),
             genre="classic", artist_kind="female", popularity=50),
    DemoSong("chonglai", "重来", ("群星",), "mandarin", "cmn", S, SC, L, _zh("重来"),
             artist_kind="group", popularity=20),
    DemoSong("tonghua", "童话", ("光良",), "mandarin", "cmn", M, SC, L, _zh("童话"),
             artist_kind="male", popularity=55),
    DemoSong("xiaoxingyun", "小幸运", ("田馥甄",), "mandarin", "cmn", S, FN, W, _zh("小幸运"),
             artist_kind="female", popularity=65),
    DemoSong("juejiang", "倔强", ("五月天",), "mandarin", "cmn", M, SC, L, _zh("倔强"),
             genre="rock", artist_kind="band", popularity=58),
    DemoSong("turanhaoxiangni", "突然好想你", ("五月天",), "mandarin", "cmn", T, SC, L,
             _zh("突然好想你"), genre="rock", artist_kind="band", popularity=62),
    DemoSong("pengyou", "朋友", ("周华健",), "mandarin", "cmn", S, FN, L, _zh("朋友"),
             artist_kind="male", popularity=45),
    DemoSong("lianqu1990", "恋曲1990", ("罗大佑",), "mandarin", "cmn", N, FN, X,
             _zh("恋曲1990"), genre="classic", artist_kind="male", popularity=30),
    DemoSong("qingfeideyi", "情非得已", ("庾澄庆",), "mandarin", "cmn", M, SC, L,
             _zh("情非得已"), artist_kind="male", popularity=40),
    DemoSong("aidedaijia", "愛的代價", ("張學友",), "mandarin", "cmn", S, SC, L,
             _zh("爱的代价"), genre="classic", artist_kind="male", popularity=35),
    DemoSong("zhangchengchang", "长城长", ("董文华",), "mandarin", "cmn", N, TG, L,
             _zh("长城长"), genre="classic", artist_kind="female", popularity=10, cdg=True),
    DemoSong("haikuotiankong", "海阔天空", ("Beyond",), "cantonese", "cmn", M, SC, L,
             _zh("海阔天空"), genre="rock", artist_kind="band", popularity=70),
    DemoSong("qianqianquege", "千千阙歌", ("陈慧娴",), "cantonese", "cmn", S, SC, L,
             _zh("千千阙歌"), artist_kind="female", popularity=42),
    DemoSong("aipincaihuiying", "爱拼才会赢", ("叶启田",), "hokkien", "cmn", N, SC, L,
             _zh("爱拼才会赢"), genre="folk", artist_kind="male", popularity=25),
    DemoSong("yesterday", "Yesterday Once More", ("Carpenters",), "english", "en", M, SC, W,
             _en("Yesterday once more"), artist_kind="band", popularity=48),
    DemoSong("myheart", "My Heart Will Go On", ("Celine Dion",), "english", "en", S, FN, L,
             _en("My heart will go on"), genre="soundtrack", artist_kind="female",
             popularity=52),
    DemoSong("countryroads", "Take Me Home, Country Roads", ("John Denver",), "english", "en",
             N, TG, L, _en("Take me home"), genre="country", artist_kind="male", popularity=33),
    DemoSong("letitbe", "Let It Be", ("The Beatles",), "english", "en", M, SC, L,
             _en("Let it be"), genre="rock", artist_kind="band", popularity=44),
    DemoSong("hotelcalifornia", "Hotel California", ("Eagles",), "english", "en", S, SC, X,
             _en("Hotel California"), genre="rock", artist_kind="band", popularity=38),
    DemoSong("kitaguni", "北国の春", ("千昌夫",), "japanese", "ja", M, SC, L,
             ("きたぐにのはる", "みんなでうたおう", "あしたもまたね", "らららら"),
             genre="enka", artist_kind="male", popularity=22),
    DemoSong("nadasousou", "涙そうそう", ("夏川りみ",), "japanese", "ja", S, SC, L,
             ("なだそうそう", "みんなでうたおう", "あしたもまたね", "らららら"),
             artist_kind="female", popularity=18),
    DemoSong("arirang", "아리랑", ("민요",), "korean", "ko", N, SC, L,
             ("아리랑 아리랑", "함께 노래해요", "오늘 밤에", "라라라라"), genre="folk",
             popularity=15),
    DemoSong("gangnam", "강남스타일", ("PSY",), "korean", "ko", M, SC, L,
             ("강남스타일", "함께 노래해요", "오늘 밤에", "라라라라"), artist_kind="male",
             popularity=46),
    DemoSong("laoshuaidami", "老鼠爱大米", ("杨臣刚",), "mandarin", "cmn", S, FN, L,
             _zh("老鼠爱大米"), artist_kind="male", popularity=28, version="伴奏版"),
    DemoSong("zhongguo", "我爱你中国", ("汪峰", "群星"), "mandarin", "cmn", M, SC, W,
             _zh("我爱你中国"), popularity=12),
)  # fmt: skip


def by_stem(stem: str) -> DemoSong:
    return next(s for s in SONGS if s.stem == stem)
