"""Helpers of the desk's browser tests (tests/web/test_desk*.py): elements by their stable
``data-test`` names, money as the page prints it, screenshots (tmp_path; also
docs/screenshots/web/ under ``./run screenshots``), the API called as the signed-in page."""

from __future__ import annotations

import os
import re
import shutil
import uuid
from pathlib import Path

from tests.support.controller import REPO_ROOT

TIMEOUT_MS = 20_000  # generous: ~8 engineers share two cores
DOC_SHOTS = REPO_ROOT / "docs" / "screenshots" / "web"


def tid(page, name: str):  # type: ignore[no-untyped-def]
    return page.locator(f'[data-test="{name}"]')


def field(page, name: str):  # type: ignore[no-untyped-def]
    """The <input>/<textarea> of an Element Plus input marked ``data-test=name`` (ElInput puts
    the attribute on the native element; wrappers such as ElInputNumber keep it outside)."""
    return page.locator(
        f'input[data-test="{name}"], textarea[data-test="{name}"], [data-test="{name}"] input'
    ).first


def fen(text: str) -> int:
    """ "¥1,234.50" / "-¥3.00" -> fen."""
    match = re.search(r"(-?)¥([\d,]+)\.(\d\d)", text)
    assert match, f"no amount in {text!r}"
    value = int(match.group(2).replace(",", "")) * 100 + int(match.group(3))
    return -value if match.group(1) else value


def yuan(value: int) -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}¥{abs(value) // 100}.{abs(value) % 100:02d}"


def shot(page, tmp_path: Path, name: str) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / f"{name}.png"
    # bytes, written here: Playwright's own path= writes through an executor thread that
    # outlives the test (the leak check would name it)
    path.write_bytes(page.screenshot())
    if os.environ.get("KTV_UPDATE_SCREENSHOTS") == "1":  # ./run screenshots: on purpose
        DOC_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOC_SHOTS / f"{name}.png")
    return path


def api_post(page, base_url: str, path: str, body: dict):  # type: ignore[no-untyped-def]
    """POST as the page's own signed-in session would (cookie, CSRF header, same origin)."""
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "ktv_csrf")
    return page.request.post(
        path,
        data=body,
        headers={"x-csrf-token": csrf, "origin": base_url, "content-type": "application/json"},
    )


def sign_in(context, base_url: str, staff_id: str, pin: str) -> None:  # type: ignore[no-untyped-def]
    answer = context.request.post(
        "/api/session", data={"staff_id": staff_id, "pin": pin}, headers={"origin": base_url}
    )
    assert answer.ok, answer.text()


def rid() -> str:
    return uuid.uuid4().hex
