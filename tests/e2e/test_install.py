"""A plain install works: the wheel, built from this checkout and installed without the dev
extras into a fresh virtual environment, runs ``pa-bot demo`` from an empty folder, replays a
scenario shipped in the package, and serves the second UI variant with
``MOCK_PORTAL_UI_VARIANT=2 pa-bot portal``.

uv builds and installs (``make setup`` put it in the virtual environment and filled its cache,
so the install takes seconds); the dependencies are resolved from pyproject.toml's ranges, as a
person's ``pip install`` would, not from the lock.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.served import free_port, login_page_of_portal

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
UV = Path(sys.executable).with_name("uv")
NOT_SHIPPED = shutil.ignore_patterns(
    ".git", ".venv", "var", "artifacts", "build", "dist", "*.egg-info", "__pycache__", ".*_cache"
)


def run(*command: str | Path, cwd: Path | None = None) -> None:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def clean_env(**extra: str) -> dict[str, str]:
    """A person's environment: none of our settings, no virtual environment active."""
    kept = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PA_BOT_", "MOCK_PORTAL_", "VIRTUAL_ENV", "UV_PROJECT"))
    }
    return {**kept, **extra}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin`` folder of a fresh virtual environment with the built wheel installed."""
    work = tmp_path_factory.mktemp("install")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SHIPPED)  # the build writes into its source tree
    run(UV, "build", "--wheel", "--out-dir", work / "dist", source)
    (wheel,) = (work / "dist").glob("pa_bot-*.whl")
    run(UV, "venv", "--python", sys.executable, work / "venv")
    run(UV, "pip", "install", "--python", work / "venv" / "bin" / "python", wheel)
    return work / "venv" / "bin"


def installed_run(
    installed: Path, program: str, *args: str, cwd: Path
) -> subprocess.CompletedProcess[str]:
    """``program`` of the fresh environment, run from ``cwd`` as a person would (``python -c``
    imports from its folder first: an empty one keeps the checkout out)."""
    return subprocess.run(
        [installed / program, *args],
        cwd=cwd,
        env=clean_env(COLUMNS="200"),
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_installed_package_has_no_dev_extras_and_no_source_tree(
    installed: Path, tmp_path: Path
) -> None:
    probe = (
        "import importlib.util as u, mock_portal; print(u.find_spec('httpx'), mock_portal.__file__)"
    )
    done = installed_run(installed, "python", "-c", probe, cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    httpx, module = done.stdout.split()
    assert httpx == "None", "httpx is a dev extra: nothing installed may need it"
    assert str(installed.parent) in module and str(ROOT) not in module


def test_the_demo_runs_from_an_empty_folder_then_serves_the_console(
    installed: Path, tmp_path: Path
) -> None:
    """``pa-bot demo --serve``: the night's run on the bundled portal, then the console on the
    demo's queue with a demo staff account that signs in and sees the night's requests."""
    port = free_port()
    demo = subprocess.Popen(
        [installed / "pa-bot", "demo", "--serve", "--port", str(port)],
        cwd=tmp_path,
        env=clean_env(COLUMNS="200"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        said = _until_said(demo, "Console: ")  # printed once the console listens
        (password,) = re.findall(r"Demo staff account: staff / (\S+)", said)
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base) as browser:
            health = browser.get("/healthz").json()
            token = re.findall(r'name="csrf_token" value="([^"]+)"', browser.get("/login").text)
            form = {"username": "staff", "password": password, "csrf_token": token[0]}
            home = browser.post("/login", data=form, follow_redirects=True)
            styled = browser.get("/static/console.css")
    finally:
        demo.send_signal(signal.SIGTERM)
        rest, _ = demo.communicate(timeout=90)

    assert "submitted" in said and "Report: " in said and f"Console: {base}/" in said + rest
    assert health == {"status": "ok"}
    assert "<h1>Worklist</h1>" in home.text and "REQ-2026-1201-01" in home.text
    assert styled.status_code == 200, "the installed package ships the console's static files"
    assert demo.returncode == 0, said + rest
    assert "Traceback" not in said + rest


def _until_said(process: subprocess.Popen[str], words: str, timeout_s: float = 300) -> str:
    """What ``process`` printed up to the line holding ``words``."""
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        assert line, "".join(lines)[-3000:]
        lines.append(line)
        if words in line:
            return "".join(lines)
    raise AssertionError("".join(lines)[-3000:])


def test_the_second_ui_variant_is_served(installed: Path, tmp_path: Path) -> None:
    env = clean_env(MOCK_PORTAL_UI_VARIANT="2")

    page = login_page_of_portal([installed / "pa-bot", "portal"], env, tmp_path)

    assert '<body class="ui-v2">' in page


def test_a_bundled_scenario_replays_from_an_empty_folder(installed: Path, tmp_path: Path) -> None:
    where = "import importlib.resources as r; print(r.files('pa_bot_fixtures') / 'scenarios')"
    found = installed_run(installed, "python", "-c", where, cwd=tmp_path)
    scenario = Path(found.stdout.strip()) / "outcome-approved-imaging-criteria-met.yaml"
    assert scenario.is_file() and str(installed.parent) in str(scenario)

    done = installed_run(installed, "pa-bot", "replay", str(scenario), cwd=tmp_path)

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "1 of 1 scenarios passed" in done.stdout
