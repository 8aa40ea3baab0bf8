"""Containers that clip with the scissor test instead of Kivy's stencil.

Kivy's ``ScreenManager`` and ``ScrollView`` clip through the stencil buffer: every frame they
fill their whole area twice more (stencil push, stencil pop). On this machine's software
renderer a full 800x480 fill costs ~5 ms of CPU, and on the Pi's GPU fill rate is the
scarce resource too; the app's two nested screen managers and the result list alone drew
~3.5 screens of stencil per frame (of ~7.8 screens in all). ``ScreenSwitcher`` does not clip
(its screens fill it exactly, with no transition); the lists clip with ``glScissor``, which
costs nothing per pixel.

The scissor box is the widget's rectangle in window pixels, recomputed at draw time (a
``Callback`` instruction), so a screen moving or a window resize needs no bookkeeping. While
the tree is drawn into a framebuffer other than the window's (``export_to_png`` screenshots,
which also flip y), the lists draw unclipped: rows never leave a list scrolled to the top.
"""

from __future__ import annotations

from typing import Any

from kivy.graphics import Callback
from kivy.graphics.opengl import (
    GL_FRAMEBUFFER_BINDING,
    GL_SCISSOR_TEST,
    glDisable,
    glEnable,
    glGetIntegerv,
    glScissor,
)
from kivy.uix.recycleview import RecycleView
from kivy.uix.screenmanager import ScreenManager
from kivy.uix.scrollview import ScrollView

_window_framebuffer: int | None = None


def remember_window_framebuffer() -> None:
    """Record the window's own framebuffer (call once, outside any drawing, after the window
    exists); scissor boxes apply only while drawing into it."""
    global _window_framebuffer
    _window_framebuffer = int(glGetIntegerv(GL_FRAMEBUFFER_BINDING)[0])


class ScreenSwitcher(ScreenManager):
    """A ``ScreenManager`` without the stencil (its kv rule drops Kivy's): for stacks whose
    screens fill them exactly and switch with ``NoTransition``."""


class ScissorClip:
    """Mixin: clip the widget's drawing (children included) to its own rectangle."""

    def _install_scissor(self) -> None:
        self.scissor_box: tuple[int, int, int, int] | None = None  # last box applied
        self.canvas.before.add(Callback(self._scissor_on, reset_context=False))
        self.canvas.after.add(Callback(self._scissor_off, reset_context=False))

    def _scissor_on(self, instruction: Any) -> None:
        bound = int(glGetIntegerv(GL_FRAMEBUFFER_BINDING)[0])
        if _window_framebuffer is not None and bound != _window_framebuffer:
            self.scissor_box = None
            return
        x0, y0 = self.to_window(self.x, self.y)  # type: ignore[attr-defined]
        x1, y1 = self.to_window(self.right, self.top)  # type: ignore[attr-defined]
        box = (int(x0), int(y0), max(0, int(x1 - x0)), max(0, int(y1 - y0)))
        glEnable(GL_SCISSOR_TEST)
        glScissor(*box)
        self.scissor_box = box

    def _scissor_off(self, instruction: Any) -> None:
        if self.scissor_box is not None:
            glDisable(GL_SCISSOR_TEST)


class ClippedRecycleView(ScissorClip, RecycleView):
    """A ``RecycleView`` clipped by scissor (its kv rule drops the stencil)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._install_scissor()


class ClippedScrollView(ScissorClip, ScrollView):
    """A ``ScrollView`` clipped by scissor (its kv rule drops the stencil)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._install_scissor()
