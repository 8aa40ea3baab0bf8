"""Generate a small real KTV library: synthesized vocals (espeak-ng) over generated chords
(ffmpeg lavfi), dual-track MKVs with a title video, stereo-split MP3s, LRC files whose line
timings are when the lines are actually sung. ffmpeg jobs run in a small pool."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pypinyin import Style, lazy_pinyin

from media_index.cdg_file import write_cdg
from media_index.demo_songs import SONGS, DemoSong, FileForm, LyricsKind, MetaSource

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
INTRO_S = 3.0
GAP_S = 1.2
OUTRO_S = 3.0
ESPEAK_VOICES = {"cmn": "cmn-latn-pinyin", "en": "en-us", "ja": "ja", "ko": "ko"}


class DemoLibraryError(RuntimeError):
    pass


@dataclass(frozen=True)
class SungLine:
    text: str
    start_s: float
    end_s: float
    wav: Path


def _run(args: Sequence[str]) -> None:
    proc = subprocess.run(list(args), capture_output=True, check=False)
    if proc.returncode != 0:
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise DemoLibraryError(f"{args[0]} failed: {' | '.join(tail)}")


def speakable(text: str, voice: str) -> str:
    """Mandarin goes to espeak-ng as pinyin with tone numbers (its zh voice mispronounces)."""
    if voice != "cmn":
        return text
    syllables = lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True)
    return " ".join(s for s in syllables if s.strip() and s.isascii())


def _wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / float(w.getframerate())


def sing(song: DemoSong, work: Path, lines: int) -> list[SungLine]:
    """Synthesize each line; its LRC start time is where it is placed in the vocal track."""
    out: list[SungLine] = []
    t = INTRO_S
    verses = (song.lines * (1 + lines // max(1, len(song.lines))))[:lines]
    for i, text in enumerate(verses):
        wav = work / f"line{i}.wav"
        pitch = str(40 + (i * 13) % 40)
        _run(["espeak-ng", "-v", ESPEAK_VOICES[song.voice], "-s", "100", "-p", pitch,
              "-w", str(wav), speakable(text, song.voice)])  # fmt: skip
        dur = _wav_seconds(wav)
        out.append(SungLine(text, t, t + dur, wav))
        t += dur + GAP_S
    return out


def _stamp(seconds: float) -> str:
    cs = round(seconds * 100)
    return f"{cs // 6000:02d}:{cs // 100 % 60:02d}.{cs % 100:02d}"


def lrc_text(song: DemoSong, sung: Sequence[SungLine], word_timed: bool) -> str:
    head = [f"[ti:{song.title}]", f"[ar:{' / '.join(song.artists)}]", "[by:ktv demo]"]
    body = []
    for line in sung:
        if not word_timed:
            body.append(f"[{_stamp(line.start_s)}]{line.text}")
            continue
        units = list(line.text) if song.voice != "en" else line.text.split()
        step = (line.end_s - line.start_s) / max(1, len(units))
        sep = " " if song.voice == "en" else ""
        parts = [f"<{_stamp(line.start_s + k * step)}>{u}" for k, u in enumerate(units)]
        body.append(f"[{_stamp(line.start_s)}]" + sep.join(parts) + f"<{_stamp(line.end_s)}>")
    return "\n".join(head + body) + "\n"


def _file_name(song: DemoSong) -> str:
    ext = {FileForm.MKV_TRACKS: ".mkv", FileForm.MPG_TRACKS: ".mpg"}.get(song.form, ".mp3")
    if song.meta is MetaSource.FILE_NAME:
        version = f" ({song.version})" if song.version else ""
        return f"{'、'.join(song.artists)} - {song.title}{version}{ext}"
    if song.meta is MetaSource.TAGS:
        return f"track-{song.stem}{ext}"
    return song.stem + ext


def sidecar_text(song: DemoSong, lyrics_name: str | None) -> str:
    artists = ", ".join(f'"{a}"' for a in song.artists)
    rows = [
        f'title = "{song.title}"',
        f"artists = [{artists}]",
        f'language = "{song.language}"',
        f'genre = "{song.genre}"',
        f'artist_kind = "{song.artist_kind}"',
        f"popularity = {song.popularity}",
    ]
    if song.form is FileForm.MPG_TRACKS:  # MPEG-PS cannot carry track titles: say it here
        rows += ['vocal_mode = "tracks"', "vocal_track = 1", "accompaniment_track = 0"]
    if lyrics_name:
        rows.append(f'lyrics = "{lyrics_name}"')
    return "\n".join(rows) + "\n"


def build_song(song: DemoSong, dest: Path, lines: int = 8) -> Path:
    """Write one song (media + lyrics + sidecar) into ``dest``; returns the media path."""
    media = dest / _file_name(song)
    with tempfile.TemporaryDirectory(prefix="ktv-demo-") as tmp:
        work = Path(tmp)
        sung = sing(song, work, lines)
        total = sung[-1].end_s + OUTRO_S
        root = 196.0 * (1 + (sum(map(ord, song.stem)) % 7) / 12)
        chord = "|".join(f"{root * r:.1f}" for r in (1.0, 1.26, 1.5))
        args = ["ffmpeg", "-v", "error", "-y"]
        for f in chord.split("|"):
            args += ["-f", "lavfi", "-i", f"sine=f={f}:d={total:.2f}:sample_rate=44100"]
        for line in sung:
            args += ["-i", str(line.wav)]
        n = len(sung)
        fc = ["[0][1][2]amix=inputs=3:normalize=0,volume=0.5,tremolo=f=2:d=0.6[acc]"]
        for i, line in enumerate(sung):
            ms = int(line.start_s * 1000)
            fc.append(f"[{3 + i}]aresample=44100,adelay={ms}:all=1,apad[v{i}]")
        fc.append("".join(f"[v{i}]" for i in range(n)) + f"amix=inputs={n}:normalize=0,"
                  f"atrim=0:{total:.2f},volume=1.6[voc]")  # fmt: skip
        args += _layout(song, fc, total, work)
        if song.meta is MetaSource.TAGS:
            artist = " / ".join(song.artists)
            args += ["-metadata", f"title={song.title}", "-metadata", f"artist={artist}"]
        args.append(str(media))
        _run(args)
    if song.cdg:
        write_cdg(media.with_suffix(".cdg"), total, lines=min(len(sung), 4))
    lyrics_name = None
    if song.lyrics is not LyricsKind.NONE:
        lrc = media.with_suffix(".lrc")
        text = lrc_text(song, sung, song.lyrics is LyricsKind.WORDS)
        lrc.write_bytes(text.encode("gbk" if song.lyrics is LyricsKind.GBK else "utf-8"))
        lyrics_name = lrc.name
    if song.meta is MetaSource.SIDECAR:
        media.with_name(media.stem + ".ktv.toml").write_text(
            sidecar_text(song, lyrics_name), encoding="utf-8"
        )
    return media


def _layout(song: DemoSong, fc: list[str], total: float, work: Path) -> list[str]:
    """The filter graph's tail and output options for the song's file form."""
    if song.form is FileForm.MP3_SPLIT:  # left = accompaniment, right = vocal
        fc.append("[acc][voc]join=inputs=2:channel_layout=stereo:map=0.0-FL|1.0-FR[out]")
        return ["-filter_complex", ";".join(fc), "-map", "[out]", "-c:a", "libmp3lame",
                "-b:a", "96k"]  # fmt: skip
    if song.form is FileForm.MP3_MIX:
        fc.append("[acc][voc]amix=inputs=2:normalize=0,aformat=channel_layouts=stereo[out]")
        return ["-filter_complex", ";".join(fc), "-map", "[out]", "-c:a", "libmp3lame",
                "-b:a", "96k"]  # fmt: skip
    title_file = work / "title.txt"
    title_file.write_text(f"{song.title}\n{' / '.join(song.artists)}", encoding="utf-8")
    fc.append("[acc]asplit=2[acc1][acc2]")
    fc.append("[acc1][voc]amix=inputs=2:normalize=0[orig]")
    fc.append(
        f"color=c=0x1b2a49:s=640x360:r=10:d={total:.2f},drawtext=fontfile={FONT}:"
        f"textfile={title_file}:fontcolor=white:fontsize=40:x=(w-tw)/2:y=(h-th)/2[vid]"
    )
    args = ["-filter_complex", ";".join(fc), "-map", "[vid]"]
    if song.form is FileForm.MPG_TRACKS:  # accompaniment first, as many KTV MPGs have it
        return [*args, "-map", "[acc2]", "-map", "[orig]", "-c:v", "mpeg2video", "-q:v", "6",
                "-c:a", "mp2", "-b:a", "128k", "-f", "vob"]  # fmt: skip
    return [
        *args,
        "-map", "[orig]", "-map", "[acc2]", "-c:v", "libx264", "-preset", "ultrafast",
        "-tune", "stillimage", "-c:a", "aac", "-b:a", "96k",
        "-metadata:s:a:0", "title=原唱 Original vocal", "-metadata:s:a:0", "language=chi",
        "-metadata:s:a:1", "title=伴唱 Instrumental", "-metadata:s:a:1", "language=chi",
    ]  # fmt: skip


def generate(
    dest: str | Path,
    songs: Sequence[DemoSong] = SONGS,
    *,
    lines: int = 8,
    workers: int = 2,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[Path]:
    """Build ``songs`` into ``dest`` (created if needed) with ``workers`` ffmpeg jobs at once."""
    for tool in ("ffmpeg", "espeak-ng"):
        if shutil.which(tool) is None:
            raise DemoLibraryError(f"{tool} is not installed (Debian: apt install {tool})")
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    kinds: dict[str, str] = {}
    for song in songs:
        if song.artist_kind != "unknown":
            kinds.setdefault(song.artists[0], song.artist_kind)
    book = "".join(f'"{name}" = "{kind}"\n' for name, kind in sorted(kinds.items()))
    (dest / "singers.ktv.toml").write_text(f"[singers]\n{book}", encoding="utf-8")
    out: list[Path] = []
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = [pool.submit(build_song, s, dest, lines) for s in songs]
        for done, fut in enumerate(futures, 1):
            path = fut.result()
            out.append(path)
            if progress:
                progress(done, len(songs), path.name)
    return out
