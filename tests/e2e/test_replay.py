"""``pa-bot replay`` as QA runs it: a subprocess, the suite in fixtures/scenarios/ passing on a
portal replay starts itself, and a wrong expectation or a malformed file reported while the rest
still run."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bot.config import Settings
from tests.support.admin import PortalAdmin
from tests.support.cli import pa_bot, pa_bot_env
from tests.support.requests import FIXTURES

pytestmark = pytest.mark.e2e

SCENARIOS = FIXTURES / "scenarios"


def junit_cases(path: Path) -> dict[str, ET.Element]:
    return {case.get("name", ""): case for case in ET.parse(path).getroot().iter("testcase")}


PARTS = 3
"""The fixture scenarios are replayed in this many parts, so that test processes share them."""


@pytest.mark.slow
@pytest.mark.parametrize("part", range(PARTS))
def test_every_fixture_scenario_passes(settings: Settings, tmp_path: Path, part: int) -> None:
    scenarios = sorted(SCENARIOS.glob("*.yaml"))[part::PARTS]
    env = pa_bot_env(settings)
    del env["PA_BOT_PORTAL_URL"]  # replay starts a portal of its own
    env["PA_BOT_RETRY_WAIT_SECONDS"] = "0.05"
    junit, html = tmp_path / "junit.xml", tmp_path / "replay.html"

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "replay",
            *(str(path) for path in scenarios),
            "--junit",
            str(junit),
            "--html",
            str(html),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )

    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-3000:]
    cases = junit_cases(junit)
    assert set(cases) == {path.stem for path in scenarios}
    assert not [name for name, case in cases.items() if case.find("failure") is not None]
    assert f"{len(cases)} of {len(cases)} scenarios passed" in done.stdout
    assert html.read_text().count('class="pass"') == len(cases)


def copy_scenario(folder: Path, name: str, *changes: tuple[str, str]) -> Path:
    """A fixture scenario, edited, its request path made absolute so it still resolves."""
    text = (SCENARIOS / f"{name}.yaml").read_text()
    text = text.replace("request: ../requests/", f"request: {FIXTURES}/requests/")
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new)
    path = folder / f"{name}.yaml"
    path.write_text(text)
    return path


def test_wrong_expectation_and_malformed_files_fail_while_the_rest_run(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    copy_scenario(folder, "refused-member-not-eligible")
    copy_scenario(folder, "outcome-not-required", ("state: not_required", "state: submitted"))
    copy_scenario(
        folder,
        "fault-expire-session-always",
        ("state: failed", "state: submitted"),
        ("exit_code: 1", "exit_code: 0"),
    )
    (folder / "unknown-knob.yaml").write_text(
        (folder / "refused-member-not-eligible.yaml")
        .read_text()
        .replace("expect:", "portal:\n  latency: 100\nexpect:")
    )
    (folder / "no-expectation.yaml").write_text("description: x\nrequest: r.json\n")
    (folder / "bad-yaml.yaml").write_text("description: [unclosed\n")
    junit, html = tmp_path / "out" / "junit.xml", tmp_path / "out" / "replay.html"

    done = pa_bot(settings, "replay", str(folder), "--junit", str(junit), "--html", str(html))

    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout
    assert "state: expected submitted, got not_required" in out
    assert "state: expected submitted, got failed" in out
    assert "exit_code: expected 0, got 1" in out
    assert "1 of 6 scenarios passed, 5 failed" in out
    cases = junit_cases(junit)
    assert cases["refused-member-not-eligible"].find("failure") is None
    knob = cases["unknown-knob"].find("failure")
    assert knob is not None
    assert knob.get("message") == "portal.latency: unknown field"
    assert knob.get("type") == "MalformedScenario"
    assert str(folder / "unknown-knob.yaml") == cases["unknown-knob"].get("file")
    missing = cases["no-expectation"].find("failure")
    assert missing is not None
    assert "expect: required" in missing.get("message", "")
    bad_yaml = cases["bad-yaml"].find("failure")
    assert bad_yaml is not None
    assert bad_yaml.get("message", "").startswith("yaml: ")
    wrong = cases["outcome-not-required"].find("failure")
    assert wrong is not None
    assert wrong.get("message") == "state: expected submitted, got not_required"
    page = html.read_text()
    # The flow kept a trace and a screenshot of the failed item; the report links both.
    for evidence in ("trace.zip", "failure.png"):
        link = f'{evidence}">{evidence}</a>'
        assert link in page
        href = page.split(link)[0].rsplit('href="', 1)[1] + evidence
        assert (html.parent / href).is_file(), href
    assert 'mismatch.png">mismatch.png</a>' in page


def test_grep_picks_scenarios_and_usage_errors_exit_2(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    nothing = pa_bot(settings, "replay", str(SCENARIOS), "--grep", "no-such-scenario")
    missing = pa_bot(settings, "replay", str(tmp_path / "missing"))
    chosen = pa_bot(settings, "replay", str(SCENARIOS), "--grep", "^refused-member-not-e")

    assert nothing.returncode == 2
    assert "matching --grep" in nothing.stdout
    assert missing.returncode == 2
    assert "no such file or directory" in missing.stdout
    assert chosen.returncode == 0, chosen.stdout + chosen.stderr
    assert "1 of 1 scenarios passed" in chosen.stdout
    assert portal.stats()["logins_ok"] == 1, "replay used the portal PA_BOT_PORTAL_URL names"


def test_an_unreachable_portal_fails_each_scenario_with_the_reason(
    settings: Settings, tmp_path: Path
) -> None:
    nowhere = settings.model_copy(update={"portal_url": "http://127.0.0.1:9"})

    done = pa_bot(nowhere, "replay", str(SCENARIOS), "--grep", "^outcome-(denied|no-decision)")

    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.count("unreachable") >= 2
    assert "0 of 2 scenarios passed, 2 failed" in done.stdout


def test_a_refused_login_shows_as_exit_code_4(settings: Settings, portal: PortalAdmin) -> None:
    done = pa_bot(
        settings, "replay", str(SCENARIOS), "--grep", "^outcome-denied", password="wrong-password"
    )

    assert done.returncode == 1, done.stdout + done.stderr
    assert "state: expected submitted, got pending" in done.stdout
    assert "exit_code: expected 0, got 4" in done.stdout
    assert portal.stats()["logins_failed"] == 1, "no further login attempts"
    assert "wrong-password" not in done.stdout + done.stderr


def test_schema_is_printed_as_json(settings: Settings) -> None:
    done = pa_bot(settings, "replay", "--schema")

    assert done.returncode == 0
    schema = json.loads(done.stdout)
    assert set(schema["required"]) == {"description", "request", "expect"}
    assert "step_faults" in json.dumps(schema["$defs"]["ConfigPatch"])


def test_replay_traces_a_failure_on_the_first_attempt(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    copy_scenario(folder, "refused-member-not-eligible", ("state: rejected", "state: submitted"))

    done = pa_bot(settings, "replay", str(folder), extra_env={"PA_BOT_TRACE": "retries"})

    assert done.returncode == 1, done.stdout + done.stderr
    assert "state: expected submitted, got rejected" in done.stdout
    (trace,) = (settings.artifacts_dir / "replay").rglob("trace.zip")
    assert trace.parent.parent.name == "refused-member-not-eligible"
