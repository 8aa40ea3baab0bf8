"""The video in memory: libVLC's decoder thread writes, the touchscreen reads the newest
frame, and neither waits for the other nor sees a half-written picture."""

from __future__ import annotations

import ctypes
import threading

from hypothesis import given
from hypothesis import strategies as st

from room_agent.player.frames import FrameSize, VideoFrames, fit_within, visible_height


class _Decoder:
    """Calls the frames' libVLC callbacks the way libVLC's vmem does (format once, then
    lock/unlock/display per picture), from the calling thread."""

    def __init__(self, frames: VideoFrames, width: int, height: int) -> None:
        self.frames = frames
        chroma = ctypes.create_string_buffer(b"I420", 5)
        w, h = ctypes.c_uint(width), ctypes.c_uint(height)
        pitches, lines = ctypes.c_uint(0), ctypes.c_uint(0)
        frames._on_format(None, chroma, ctypes.pointer(w), ctypes.pointer(h),
                          ctypes.pointer(pitches), ctypes.pointer(lines))  # fmt: skip
        self.chroma, self.width, self.height = chroma.value, w.value, h.value
        self.pitch = pitches.value

    def picture(self, fill: int, *, displayed: bool = True) -> None:
        planes = (ctypes.c_void_p * 3)()
        picture = self.frames._on_lock(None, planes)
        ctypes.memset(planes[0], fill, self.pitch * self.height)
        self.frames._on_unlock(None, picture, planes)
        if displayed:
            self.frames._on_display(None, picture)


def test_libvlc_is_asked_for_bgrx_scaled_down_to_the_box_keeping_the_shape() -> None:
    decoder = _Decoder(VideoFrames(640, 360), 1920, 1088)  # libVLC's padded 1080p
    assert decoder.chroma == b"RV32"
    assert (decoder.width, decoder.height, decoder.pitch) == (640, 360, 640 * 4)


def test_the_newest_frame_is_read_once_and_a_dropped_picture_is_never_shown() -> None:
    frames = VideoFrames(64, 36)
    decoder = _Decoder(frames, 64, 36)
    with frames.newest() as frame:
        assert frame is None  # nothing decoded yet
    decoder.picture(1)
    decoder.picture(2)
    decoder.picture(3, displayed=False)  # libVLC dropped it (late)
    with frames.newest() as frame:
        assert frame is not None and frame.number == 2
        assert frame.size == FrameSize(64, 36) and set(bytes(frame.pixels)) == {2}
    with frames.newest() as frame:
        assert frame is None  # nothing new since


def test_libvlc_never_writes_into_the_frame_being_read() -> None:
    frames = VideoFrames(64, 36)
    decoder = _Decoder(frames, 64, 36)
    decoder.picture(7)
    with frames.newest() as frame:
        assert frame is not None
        for fill in range(8, 40):  # the decoder races on while the texture upload runs
            decoder.picture(fill)
        assert set(bytes(frame.pixels)) == {7}
    with frames.newest() as frame:
        assert frame is not None and set(bytes(frame.pixels)) == {39}


def test_a_reader_and_the_decoder_on_two_threads_see_only_whole_frames() -> None:
    frames = VideoFrames(32, 18)
    decoder = _Decoder(frames, 32, 18)
    done = threading.Event()
    torn: list[set[int]] = []

    def decode() -> None:
        for n in range(3000):
            decoder.picture(n % 251)
        done.set()

    thread = threading.Thread(target=decode)
    thread.start()
    read = 0
    while not done.is_set():
        with frames.newest() as frame:
            if frame is not None:
                read += 1
                values = set(bytes(frame.pixels))
                if len(values) != 1:
                    torn.append(values)
    thread.join()
    assert torn == [] and read > 0


def test_padded_heights_from_libvlc_are_read_as_the_real_picture() -> None:
    assert visible_height(640, 386) == 360
    assert visible_height(1280, 738) == 720
    assert visible_height(1920, 1088) == 1080
    assert visible_height(640, 482) == 480
    assert visible_height(720, 576) == 576  # PAL DVD (neither 16:9 nor 4:3 in pixels): kept


@given(st.integers(2, 4000), st.integers(2, 4000), st.integers(2, 2000), st.integers(2, 2000))
def test_a_fitted_frame_is_even_inside_the_box_and_keeps_the_shape(w, h, box_w, box_h) -> None:  # type: ignore[no-untyped-def]
    size = fit_within(w, h, box_w, box_h)
    assert size.width % 2 == 0 and size.height % 2 == 0
    assert size.width <= max(2, box_w) and size.height <= max(2, box_h)
    assert size.width <= max(2, w) and size.height <= max(2, h)
    if size.width >= 100 and size.height >= 100:
        assert abs(size.width / size.height - w / h) / (w / h) < 0.05
