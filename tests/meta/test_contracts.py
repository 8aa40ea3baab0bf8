"""The contracts are held to buf's STANDARD lint and checked against the last release's image,
and both checks really bite: a renamed enum zero value fails lint, a removed field fails
breaking."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUF = ROOT / "node_modules" / ".bin" / "buf"
RELEASE = "release/ktv-v1-0.1.0.binpb"


def _buf(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert BUF.exists(), "buf is missing: ./run setup installs it (npm ci)"
    return subprocess.run(
        [str(BUF), *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def _copy_protos(tmp_path: Path) -> Path:
    dest = tmp_path / "protos"
    shutil.copytree(ROOT / "protos", dest, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return dest


def test_the_protos_pass_lint_and_break_nothing_since_the_release() -> None:
    protos = ROOT / "protos"
    lint = _buf(protos, "lint")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    breaking = _buf(protos, "breaking", "--against", RELEASE)
    assert breaking.returncode == 0, breaking.stdout + breaking.stderr


def test_removing_a_field_is_caught_as_breaking(tmp_path: Path) -> None:
    protos = _copy_protos(tmp_path)
    rooms = protos / "ktv" / "v1" / "rooms.proto"
    text = rooms.read_text()
    lines = text.splitlines()
    # drop the first scalar field declaration of the file's first message
    victim = next(
        i for i, line in enumerate(lines) if line.strip().startswith("string ") and "=" in line
    )
    del lines[victim]
    rooms.write_text("\n".join(lines) + "\n")
    result = _buf(protos, "breaking", "--against", RELEASE)
    assert result.returncode != 0
    assert "FIELD_NO_DELETE" in result.stdout + result.stderr or "deleted" in result.stdout


def test_an_enum_without_an_unspecified_zero_fails_lint(tmp_path: Path) -> None:
    protos = _copy_protos(tmp_path)
    extra = protos / "ktv" / "v1" / "lint_probe.proto"
    extra.write_text(
        'syntax = "proto3";\npackage ktv.v1;\n// Probe.\nenum Probe {\n  // Zero.\n  ZERO = 0;\n}\n'
    )
    result = _buf(protos, "lint")
    assert result.returncode != 0
    assert "UNSPECIFIED" in result.stdout + result.stderr


def test_breaking_is_wire_json_and_still_catches_a_removed_members_field(tmp_path: Path) -> None:
    """WIRE_JSON lets members.proto rename its response types (the wire is unchanged) but a
    removed field of a renamed response is still caught, exemption or not."""
    protos = _copy_protos(tmp_path)
    assert "- WIRE_JSON" in (protos / "buf.yaml").read_text()
    members = protos / "ktv" / "v1" / "members.proto"
    text = members.read_text()
    assert "  string rfm = 14;\n" in text
    members.write_text(text.replace("  string rfm = 14;\n", ""))
    result = _buf(protos, "breaking", "--against", RELEASE)
    assert result.returncode != 0
    assert "rfm" in result.stdout + result.stderr
