"""续钟 on the touchscreen: the 到钟 screen (and the same panel opened from the time-left
badge before the end) with the venue's extend options priced for this room, two ways to pay:

- **ask the desk**: an option button sends the request (``on_extend(note)``; the core stores
  it in the outbox once, across restarts);
- **member balance**: the member types phone + PIN on the panel's keypad and the room buys
  the option from stored value (``on_pay(option, phone, pin)``; the controller checks the PIN
  with its lockout, takes the full price or nothing).

Widgets only: no network, no core. The overlay (``room_agent.ui.time_up``) wires them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kivy.graphics import Color, Rectangle
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from ktv.errors import KtvError, Unavailable
from room_agent.ui.formatting import yuan
from room_agent.ui.port import ExtendOption

DEFAULT_OPTIONS = (
    ExtendOption(30, "续钟 30分钟", 0),
    ExtendOption(60, "续钟 1小时", 0),
    ExtendOption(120, "续钟 2小时", 0),
)
PHONE_DIGITS = 11
PIN_DIGITS = 8
_BG = (0.07, 0.07, 0.12, 1)
_BUTTON = (0.24, 0.20, 0.42, 1)
_PICKED = (0.93, 0.35, 0.62, 1)
_PAY = (0.16, 0.50, 0.32, 1)

# what the controller's reasons mean to a guest; a room's screen is never told whether a phone
# belongs to a member (a stranger's phone answers WRONG_PIN), so the text names both
_REASONS = {
    "WRONG_PIN": "手机号或密码错误 / wrong phone number or PIN",
    "PIN_LOCKED": "密码错误次数过多，请到前台 / too many wrong PINs: card locked, see the desk",
    "INSUFFICIENT_BALANCE": "余额不足，请到前台 / not enough balance: see the desk",
    "PREPAY_REQUIRED": "金额不足 / the amount does not cover the price",
    "NO_OPEN_SESSION": "房间没有开台 / the room has no open session",
}


def extend_error_text(error: BaseException) -> str:
    """One line for the screen: the reason in the guest's words, else the controller's."""
    if isinstance(error, Unavailable) or not isinstance(error, KtvError):
        return "前台暂时无法连接，请稍后或到前台 / the front desk is unavailable"
    return _REASONS.get(error.reason, error.message)


def _fill(widget: Widget, rgba: tuple[float, float, float, float]) -> None:
    with widget.canvas.before:
        Color(*rgba)
        rect = Rectangle(pos=widget.pos, size=widget.size)
    widget.bind(
        pos=lambda w, p: setattr(rect, "pos", p), size=lambda w, s: setattr(rect, "size", s)
    )


def _button(**kwargs: object) -> Button:
    """A flat button (the app's look): the colour is the colour, not a tint of a texture."""
    kwargs.setdefault("background_normal", "")
    kwargs.setdefault("background_color", _BUTTON)
    return Button(**kwargs)


def _wrap(widget: Label) -> None:
    """Centre multi-line text inside the widget (Kivy aligns only within ``text_size``)."""
    widget.halign = "center"
    widget.valign = "middle"
    widget.bind(size=lambda w, s: setattr(w, "text_size", s))


def option_text(option: ExtendOption) -> str:
    price = f"  {yuan(option.price_fen)}" if option.price_fen else ""
    bonus = f"\n送 {option.bonus_minutes} 分钟" if option.bonus_minutes else ""
    return f"{option.label}{price}{bonus}"


class MemberPad(BoxLayout):
    """Phone + PIN on an on-screen keypad and the pay button."""

    def __init__(self, u: float, on_pay: Callable[[], None], **kwargs: object) -> None:
        super().__init__(spacing=6 * u, **kwargs)
        self.u = u
        self.phone = ""
        self.pin = ""
        self.field = "phone"
        fields = BoxLayout(orientation="vertical", spacing=6 * u)
        self.phone_button = _button(font_size=17 * u)
        self.pin_button = _button(font_size=17 * u)
        self.phone_button.bind(on_release=lambda *_: self.pick("phone"))
        self.pin_button.bind(on_release=lambda *_: self.pick("pin"))
        self.pay_button = _button(font_size=17 * u, bold=True, background_color=_PAY)
        _wrap(self.pay_button)
        self.pay_button.bind(on_release=lambda *_: on_pay())
        for widget in (self.phone_button, self.pin_button, self.pay_button):
            fields.add_widget(widget)
        keys = GridLayout(cols=3, spacing=4 * u)
        for key in ("1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "back"):
            text = {"clear": "清除", "back": "删除"}.get(key, key)
            button = _button(text=text, font_size=20 * u)
            button.bind(on_release=lambda _b, k=key: self.press(k))
            keys.add_widget(button)
        self.keys = keys
        self.add_widget(fields)
        self.add_widget(keys)
        self._show()

    def pick(self, field: str) -> None:
        self.field = field
        self._show()

    def press(self, key: str) -> None:
        value, limit = (
            (self.phone, PHONE_DIGITS) if self.field == "phone" else (self.pin, PIN_DIGITS)
        )
        if key == "back":
            value = value[:-1]
        elif key == "clear":
            value = ""
        elif key.isdigit() and len(value) < limit:
            value += key
        if self.field == "phone":
            self.phone = value
            if len(value) == PHONE_DIGITS:
                self.field = "pin"  # the phone is complete: the PIN next
        else:
            self.pin = value
        self._show()

    def forget_pin(self) -> None:
        self.pin = ""
        self._show()

    def _show(self) -> None:
        self.phone_button.text = f"手机号 phone: {self.phone or '—'}"
        self.pin_button.text = f"密码 PIN: {'•' * len(self.pin) or '—'}"
        for button, name in ((self.phone_button, "phone"), (self.pin_button, "pin")):
            button.background_color = _PICKED if self.field == name else _BUTTON


class TimeUpScreen(BoxLayout):
    """到钟 (or 续钟 from the badge): options to the desk, member payment, the kept queue."""

    def __init__(
        self,
        on_extend: Callable[[str], None],
        on_pay: Callable[[ExtendOption, str, str], None] | None = None,
        on_close: Callable[[], None] | None = None,
        *,
        u: float = 1.0,
        **kwargs: object,
    ) -> None:
        super().__init__(orientation="vertical", padding=8 * u, spacing=6 * u, **kwargs)
        _fill(self, _BG)
        self.u = u
        self._on_extend = on_extend
        self._on_pay = on_pay
        self.options: tuple[ExtendOption, ...] = DEFAULT_OPTIONS
        self.picked = 1  # the option member payment buys (1 h unless chosen)
        self.paying = False  # member mode: option buttons pick instead of asking the desk
        header = BoxLayout(size_hint_y=None, height=48 * u, spacing=6 * u)
        # the close button sits on the left: the badge that opens the panel is on the right,
        # and a finger lifting off it must not land on "close"
        self.close_button = _button(
            text="‹ 返回 back", font_size=16 * u, size_hint_x=None, width=120 * u
        )
        self.close_button.bind(on_release=lambda *_: on_close() if on_close else None)
        self.close_button.opacity = 0
        self.close_button.disabled = True
        header.add_widget(self.close_button)
        self.title = Label(text="时间到了 · 到钟", font_size=30 * u, bold=True)
        header.add_widget(self.title)
        self._balance = Widget(size_hint_x=None, width=120 * u)  # keeps the title centred
        header.add_widget(self._balance)
        self.add_widget(header)
        self.subtitle = Label(
            text="歌曲已暂停，已点歌曲为您保留。续钟后立即继续播放。\n"
            "Time is up. Your songs are kept; singing resumes as soon as you extend.",
            font_size=14 * u,
            halign="center",
            size_hint_y=None,
            height=40 * u,
        )
        self.add_widget(self.subtitle)
        row = BoxLayout(spacing=8 * u, size_hint_y=None, height=62 * u)
        self.buttons: list[Button] = []
        for index in range(len(DEFAULT_OPTIONS)):
            button = _button(font_size=18 * u, bold=True)
            _wrap(button)
            button.bind(on_release=lambda _b, i=index: self.choose(i))
            row.add_widget(button)
            self.buttons.append(button)
        self.add_widget(row)
        actions = BoxLayout(spacing=8 * u, size_hint_y=None, height=42 * u)
        self.member_button = _button(
            text="会员储值支付\nmember balance",
            font_size=15 * u,
            size_hint_x=0.45,
        )
        _wrap(self.member_button)
        self.member_button.bind(on_release=lambda *_: self.toggle_member())
        self.status = Label(
            text="选择续钟时长，请求将发送到前台 / pick an option: the desk gets your request",
            font_size=13 * u,
            color=(0.85, 0.85, 0.85, 1),
        )
        _wrap(self.status)
        actions.add_widget(self.member_button)
        actions.add_widget(self.status)
        self.add_widget(actions)
        self.lower = BoxLayout()
        self.queue = Label(font_size=15 * u, color=(0.75, 0.75, 0.75, 1))
        self.pad = MemberPad(u, self.pay)
        self.lower.add_widget(self.queue)
        self.add_widget(self.lower)
        self.set_options(DEFAULT_OPTIONS)

    # --- what the overlay tells it ----------------------------------------------------------
    def as_panel(self, panel: bool) -> None:
        """From the badge (before the end): a closable 续钟 panel instead of 到钟."""
        self.title.text = "续钟 · extend" if panel else "时间到了 · 到钟"
        self.subtitle.text = (
            "现在续钟，时间接在当前结束之后。\nExtend now: the time follows your current end."
            if panel
            else "歌曲已暂停，已点歌曲为您保留。续钟后立即继续播放。\n"
            "Time is up. Your songs are kept; singing resumes as soon as you extend."
        )
        self.close_button.opacity = 1 if panel else 0
        self.close_button.disabled = not panel

    def set_options(self, options: Sequence[ExtendOption]) -> None:
        self.options = tuple(options[: len(self.buttons)]) or DEFAULT_OPTIONS
        self.picked = min(self.picked, len(self.options) - 1)
        for index, button in enumerate(self.buttons):
            shown = index < len(self.options)
            button.opacity = 1 if shown else 0
            button.disabled = not shown
            if shown:
                button.text = option_text(self.options[index])
        self._paint()

    def show(self, now_playing: str, queued: Sequence[str]) -> None:
        lines = [f"暂停中 paused: {now_playing}"] if now_playing else []
        shown = list(queued[:4])
        lines += [f"{i}. {title}" for i, title in enumerate(shown, 1)]
        if len(queued) > len(shown):
            lines.append(f"… 共 {len(queued)} 首 / {len(queued)} songs")
        self.queue.text = "\n".join(lines) or "已点 0 首"

    def requested(self, option: str, new: bool) -> None:
        self.status.text = (
            f"已通知前台续钟 {option}，请稍候 / the desk has your request ({option})"
            if new
            else "前台已收到您的请求，请稍候 / the desk already has your request"
        )

    def member_unavailable(self, why: str) -> None:
        self.member_button.disabled = True
        self.member_button.text = "会员支付暂不可用 / member payment unavailable"
        if self.paying:
            self.toggle_member()
        self.status.text = why

    # --- guests' touches -------------------------------------------------------------------
    def choose(self, index: int) -> None:
        if index >= len(self.options):
            return
        if self.paying:
            self.picked = index
            self._paint()
            return
        self._on_extend(self.options[index].note)

    def toggle_member(self) -> None:
        self.paying = not self.paying
        self.lower.clear_widgets()
        self.lower.add_widget(self.pad if self.paying else self.queue)
        self.member_button.text = "返回 back" if self.paying else "会员储值支付\nmember balance"
        self.status.text = (
            "选择时长，输入手机号和密码 / pick an option, enter phone and PIN"
            if self.paying
            else "选择续钟时长，请求将发送到前台 / pick an option: the desk gets your request"
        )
        self._paint()

    def pay(self) -> None:
        pad = self.pad
        if len(pad.phone) != PHONE_DIGITS or not pad.pin:
            self.status.text = "请输入11位手机号和密码 / enter the 11-digit phone and the PIN"
            return
        if self._on_pay is None:
            return
        self.status.text = "支付中… / paying…"
        self.pad.pay_button.disabled = True
        self._on_pay(self.options[self.picked], pad.phone, pad.pin)

    def paid(self, text: str) -> None:
        self.pad.pay_button.disabled = False
        self.pad.forget_pin()
        self.status.text = text

    def _paint(self) -> None:
        for index, button in enumerate(self.buttons):
            button.background_color = _PICKED if self.paying and index == self.picked else _BUTTON
        if self.picked < len(self.options):
            option = self.options[self.picked]
            price = f" {yuan(option.price_fen)}" if option.price_fen else ""
            self.pad.pay_button.text = f"储值支付 pay{price}\n{option.label}"
