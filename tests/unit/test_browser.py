"""Which Chromium the bot picks: a headless shell for headless runs, the full browser when headed.

``find_chromium`` reads one thing from Playwright, where its own Chromium would be; the stand-in
below answers that with a folder of the test's, so that the machine's own browsers don't decide
the outcome.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest
from playwright.sync_api import Playwright

from bot.browser import INSTALL_HINT, find_chromium, headless_shell_beside, is_headless_shell
from bot.errors import BrowserNotFound


def executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def playwright_with(own: Path) -> Playwright:
    return cast(Playwright, SimpleNamespace(chromium=SimpleNamespace(executable_path=str(own))))


@pytest.fixture
def system_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty PATH of the test's own, for the system's browsers."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))
    return folder


def test_playwrights_headless_shell_of_the_same_revision(tmp_path: Path) -> None:
    full = executable(tmp_path / "chromium-1200" / "chrome-linux64" / "chrome")
    executable(tmp_path / "chromium_headless_shell-1199" / "linux64" / "chrome-headless-shell")
    assert headless_shell_beside(full) is None
    shell = executable(
        tmp_path / "chromium_headless_shell-1200" / "linux64" / "chrome-headless-shell"
    )
    assert headless_shell_beside(full) == shell


def test_playwrights_own_comes_first_shell_only_when_headless(
    tmp_path: Path, system_path: Path
) -> None:
    executable(system_path / "chromium-headless-shell")
    full = executable(tmp_path / "pw" / "chromium-1200" / "chrome-linux64" / "chrome")
    shell = executable(tmp_path / "pw" / "chromium_headless_shell-1200" / "x" / "headless_shell")
    playwright = playwright_with(full)
    assert find_chromium(playwright) == shell
    assert find_chromium(playwright, headless=False) == full


def test_system_headless_shell_for_headless_runs_full_browser_when_headed(
    tmp_path: Path, system_path: Path
) -> None:
    playwright = playwright_with(tmp_path / "not-installed" / "chrome")
    full = executable(system_path / "chromium")
    assert find_chromium(playwright) == full
    shell = executable(system_path / "chromium-headless-shell")
    assert find_chromium(playwright) == shell
    assert is_headless_shell(shell) and not is_headless_shell(full)
    assert find_chromium(playwright, headless=False) == full


def test_a_headed_run_never_gets_the_shell(tmp_path: Path, system_path: Path) -> None:
    executable(system_path / "chromium-headless-shell")
    playwright = playwright_with(tmp_path / "not-installed" / "chrome")
    with pytest.raises(BrowserNotFound) as raised:
        find_chromium(playwright, headless=False)
    assert str(raised.value) == INSTALL_HINT
    assert "apt-get install chromium-headless-shell chromium" in INSTALL_HINT


def test_the_configured_executable_wins(tmp_path: Path, system_path: Path) -> None:
    executable(system_path / "chromium-headless-shell")
    mine = executable(tmp_path / "my-chrome")
    playwright = playwright_with(tmp_path / "not-installed" / "chrome")
    assert find_chromium(playwright, mine) == mine
    with pytest.raises(BrowserNotFound, match="is not an executable file"):
        find_chromium(playwright, tmp_path / "missing")


FAKE_APT = """#!/bin/sh
echo "$*" >> "$APT_LOG"
[ "$1" = install ] || exit 0
for package; do :; done
case " $APT_MISSING " in *" $package "*) exit 100;; esac
printf '#!/bin/sh\\n' > "$FAKE_BIN/$package" && /bin/chmod +x "$FAKE_BIN/$package"
"""


ENSURE = "import sys; from bot.browser import ensure_chromium; sys.exit(ensure_chromium(True))"


def ensure(tmp_path: Path, system_path: Path, missing: str = "") -> tuple[str, list[str]]:
    """``make setup``'s browser step, allowed to use apt-get (as it is as root, whoever runs the
    test), with a fake ``apt-get`` that installs empty executables, no Playwright browsers, and
    nothing else on PATH."""
    log = tmp_path / "apt.log"
    log.touch()
    executable(system_path / "apt-get").write_text(FAKE_APT)
    env = {
        "PATH": str(system_path),
        "PLAYWRIGHT_BROWSERS_PATH": str(tmp_path / "no-browsers"),
        "APT_LOG": str(log),
        "APT_MISSING": missing,
        "FAKE_BIN": str(system_path),
        "HOME": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", ENSURE],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout, log.read_text().splitlines()


def test_setup_installs_the_shell_and_the_full_browser_one_by_one(
    tmp_path: Path, system_path: Path
) -> None:
    shown, apt = ensure(tmp_path, system_path)
    assert apt == [
        "update -q",
        "install -y -q chromium-headless-shell",
        "install -y -q chromium",
    ]
    assert f"headless runs: {system_path / 'chromium-headless-shell'}" in shown
    assert f"--headed runs: {system_path / 'chromium'}" in shown


def test_setup_without_a_shell_package_still_gets_the_full_browser(
    tmp_path: Path, system_path: Path
) -> None:
    shown, apt = ensure(tmp_path, system_path, missing="chromium-headless-shell")
    assert "install -y -q chromium" in apt
    assert f"headless runs: {system_path / 'chromium'}" in shown


def test_setup_installs_nothing_when_both_are_there(tmp_path: Path, system_path: Path) -> None:
    executable(system_path / "chromium")
    executable(system_path / "chromium-headless-shell")
    shown, apt = ensure(tmp_path, system_path)
    assert apt == []
    assert f"headless runs: {system_path / 'chromium-headless-shell'}" in shown
