"""The steps that touch a live system, run for real where that is safe on a shared machine:
the app's venv + pip install into a scratch root, and apt's package check (dry run)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ktv import provisioning as prov
from ktv.errors import FailedPrecondition

TINY_RELEASE = {
    "pyproject.toml": """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "ktv-release-probe"
version = "0.0.1"

[project.scripts]
ktv-agent = "ktv.probe:main"

[tool.setuptools]
packages = ["ktv"]
""",
    "ktv/__init__.py": "",
    "ktv/probe.py": "def main() -> None:\n    print('agent from release 1')\n",
}


def _release(directory: Path) -> Path:
    for name, text in TINY_RELEASE.items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(text)
    return directory


@pytest.mark.slow
def test_app_is_installed_into_its_venv_once_and_then_left_alone(tmp_path):
    source = _release(tmp_path / "src")
    target = prov.HostTarget(root=tmp_path / "pi", live=True)

    first = prov.install_app(target, source, system_site_packages=True)
    again = prov.install_app(target, source, system_site_packages=True)

    assert first.outcome is prov.Outcome.CHANGED
    assert again.outcome is prov.Outcome.UNCHANGED
    agent = target.path(prov.VENV_DIR) / "bin" / "ktv-agent"
    out = subprocess.run([str(agent)], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "agent from release 1"
    assert target.path(prov.INSTALL_STAMP).read_text() == prov.source_digest(source)


def test_a_new_release_is_a_different_source_digest(tmp_path):
    source = _release(tmp_path / "src")
    before = prov.source_digest(source)
    assert prov.source_digest(source) == before
    (source / "ktv/probe.py").write_text("def main() -> None:\n    print('release 2')\n")
    assert prov.source_digest(source) != before


def test_installed_packages_are_left_alone_and_missing_ones_named():
    target = prov.HostTarget(root=Path("/"), live=True, dry_run=True)
    present = prov.install_apt_packages(target, ["python3", "systemd"])
    assert present.outcome is prov.Outcome.UNCHANGED
    missing = prov.install_apt_packages(target, ["python3", "ktv-no-such-package"])
    assert missing.outcome is prov.Outcome.WOULD_CHANGE
    assert missing.detail == "ktv-no-such-package"


def test_files_only_mode_never_runs_apt_or_pip(tmp_path):
    target = prov.HostTarget(root=tmp_path, live=False)
    assert prov.install_apt_packages(target, ["ktv-no-such-package"]).outcome is (
        prov.Outcome.SKIPPED
    )
    assert prov.install_app(target, tmp_path).outcome is prov.Outcome.SKIPPED
    assert list(tmp_path.iterdir()) == []


def test_a_failing_system_command_is_one_clear_line(tmp_path):
    target = prov.HostTarget(root=tmp_path)
    with pytest.raises(FailedPrecondition) as failed:
        target.run(["python3", "-c", "import sys; print('boom', file=sys.stderr); sys.exit(3)"])
    assert "failed (3): boom" in failed.value.message
