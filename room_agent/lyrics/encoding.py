"""Turn the bytes of an LRC file into text: UTF-8 (BOM or not), UTF-16/32, GBK/GB18030, Big5.

Chinese LRC files in the wild are mostly GBK (saved by old Windows tools) or UTF-8; the rest is
rare. Detection is by BOM, then by trying strict decoders from the most to the least specific.
"""

from __future__ import annotations

import codecs

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Without a BOM, UTF-8 is tried first: GBK bytes are almost never valid UTF-8, while UTF-8
# bytes often decode as (wrong) GB18030. Then GB18030 (a superset of GBK and GB2312) and Big5
# (Taiwan / Hong Kong files) compete: both accept most double-byte text, so the one that
# yields fewer uncommon characters wins, GB18030 on a tie.
_BIG5_COMMON = (0xA140, 0xC67E)  # Big5 symbols + level-1 (frequent) hanzi


def decode_lyrics(data: bytes) -> tuple[str, str, str]:
    """Return ``(text, encoding, remark)``; ``remark`` is non-empty when the bytes could only
    be read with replacement characters."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(name), name, ""
            except UnicodeDecodeError:
                text = data[len(bom) :].decode(name, errors="replace")
                return text, name, f"{name} file has undecodable bytes (replaced)"
    utf16 = _utf16_without_bom(data)
    if utf16:
        return data.decode(utf16), utf16, ""
    try:
        return data.decode("utf-8"), "utf-8", ""
    except UnicodeDecodeError:
        pass
    chinese = _gb_or_big5(data)
    if chinese:
        return chinese[0], chinese[1], ""
    return data.decode("utf-8", errors="replace"), "utf-8", "unknown encoding (read as UTF-8)"


def _utf16_without_bom(data: bytes) -> str:
    """UTF-16 without a BOM shows as a NUL in every other byte for ASCII-heavy LRC text."""
    sample = data[:400]
    if len(sample) < 8 or len(sample) % 2:
        return ""
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > half * 0.3 and even_nuls == 0:
        name = "utf-16-le"
    elif even_nuls > half * 0.3 and odd_nuls == 0:
        name = "utf-16-be"
    else:
        return ""
    try:
        data.decode(name)
    except UnicodeDecodeError:
        return ""
    return name


def _gb_or_big5(data: bytes) -> tuple[str, str] | None:
    readings: list[tuple[int, str, str]] = []
    for name, rarity in (("gb18030", _rare_in_gb2312), ("big5", _rare_in_big5)):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        readings.append((rarity(text), name, text))
    if not readings:
        return None
    _, name, text = min(readings, key=lambda r: r[0])  # stable: GB18030 wins ties
    return text, name


def _rare_in_gb2312(text: str) -> int:
    """Characters outside GB2312 (the 7,445 common simplified ones): rare in real lyrics."""
    return sum(1 for c in text if ord(c) > 127 and not _encodes(c, "gb2312"))


def _rare_in_big5(text: str) -> int:
    rare = 0
    for c in text:
        if ord(c) <= 127:
            continue
        code = int.from_bytes(c.encode("big5"), "big")
        rare += not (_BIG5_COMMON[0] <= code <= _BIG5_COMMON[1])
    return rare


def _encodes(char: str, encoding: str) -> bool:
    try:
        char.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True
