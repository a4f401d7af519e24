"""The scenario model and the replay's reports, without a browser: what a valid scenario file
holds, how each malformed one is reported (file and field), and what the fixtures cover."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import get_args

import pytest

from bot.models import PortalStatus
from bot.replay.html import write_html
from bot.replay.junit import write_junit
from bot.replay.runner import Observed, Result, UsageError, compare, select
from bot.replay.scenario import Loaded, Malformed, load, schema
from mock_portal.faults import ConfigPatch, FaultKind, Step
from tests.support.requests import FIXTURES

SCENARIOS = FIXTURES / "scenarios"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "SCENARIOS.md"

GOOD = """\
description: An approved lumbar MRI.
request: {request}
portal:
  ui_variant: 2
  step_faults:
    - {{step: clinical, fault: "503", times: 1}}
expect:
  state: submitted
  portal_status: approved
  reference_id: true
"""


def write(folder: Path, text: str, name: str = "scenario.yaml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def good(folder: Path) -> Path:
    request = FIXTURES / "requests" / "approved-imaging-criteria-met.json"
    return write(folder, GOOD.format(request=json.dumps(str(request))))


def all_scenarios() -> list[Loaded]:
    loaded = [load(path) for path in sorted(SCENARIOS.glob("*.yaml"))]
    bad = [s for s in loaded if isinstance(s, Malformed)]
    assert not bad, [(s.file.name, s.problems) for s in bad]
    return [s for s in loaded if isinstance(s, Loaded)]


def test_a_valid_scenario_loads_with_its_request(tmp_path: Path) -> None:
    loaded = load(good(tmp_path))

    assert isinstance(loaded, Loaded)
    assert loaded.name == "scenario"
    assert loaded.request.id == "REQ-2026-1201-01"
    assert loaded.scenario.portal.model_dump(exclude_unset=True) == {
        "ui_variant": 2,
        "step_faults": [{"step": "clinical", "fault": "503", "times": 1}],
    }
    assert loaded.scenario.expect.portal_status == PortalStatus.APPROVED


def test_an_inline_request_resolves_attachments_next_to_the_scenario(tmp_path: Path) -> None:
    (tmp_path / "notes.pdf").write_bytes(
        (FIXTURES / "attachments" / "clinical-notes.pdf").read_bytes()
    )
    text = (SCENARIOS / "outcome-partially-approved-two-lines-inline.yaml").read_text()
    text = text.replace("  contact:", "  attachments: [notes.pdf]\n  contact:")

    loaded = load(write(tmp_path, text))

    assert isinstance(loaded, Loaded), loaded
    assert loaded.request.attachments == [(tmp_path / "notes.pdf").resolve()]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("  ui_variant: 2\n", "  ui_variant: 2\n  latency: 5\n"), "portal.latency: unknown field"),
        (("  ui_variant: 2\n", "  ui_variant: 3\n"), "portal.ui_variant: Input should be 1 or 2"),
        (('fault: "503"', 'fault: "404"'), "portal.step_faults.0.fault: Input should be"),
        (("step: clinical", "step: checkout"), "portal.step_faults.0.step: Input should be"),
        (("  state: submitted\n", ""), "expect.state: required"),
        (("  state: submitted\n", "  state: done\n"), "expect.state: Input should be"),
        (
            ("  reference_id: true\n", "  reference_id: true\n  refrence: 1\n"),
            "expect.refrence: unknown field",
        ),
        (("description: An approved lumbar MRI.\n", ""), "description: required"),
        (("expect:", "expected:"), "expect: required"),
    ],
)
def test_a_malformed_file_names_the_field(
    tmp_path: Path, change: tuple[str, str], problem: str
) -> None:
    path = good(tmp_path)
    text = path.read_text()
    assert change[0] in text
    path.write_text(text.replace(*change, 1))

    loaded = load(path)

    assert isinstance(loaded, Malformed)
    assert loaded.file == path
    assert any(p.startswith(problem) for p in loaded.problems), loaded.problems


def test_bad_yaml_is_reported_with_its_line(tmp_path: Path) -> None:
    loaded = load(write(tmp_path, "description: x\nexpect: [state: submitted\n"))

    assert isinstance(loaded, Malformed)
    (problem,) = loaded.problems
    assert re.match(r"yaml: .*\(line \d+, column \d+\)", problem), problem


@pytest.mark.parametrize("text", ["", "- a list\n", "just text\n"])
def test_a_file_that_is_not_a_mapping_is_malformed(tmp_path: Path, text: str) -> None:
    loaded = load(write(tmp_path, text))

    assert isinstance(loaded, Malformed)
    assert loaded.problems == ["file: a scenario is a YAML mapping (description, ...)"]


def test_an_invalid_inline_request_names_its_fields_and_not_its_values(tmp_path: Path) -> None:
    text = (SCENARIOS / "refused-member-not-found.yaml").read_text()
    text = text.replace('"105634999"', '"12"').replace("1234567943", "1234567940")

    loaded = load(write(tmp_path, text))

    assert isinstance(loaded, Malformed)
    assert any(p.startswith("request.member.caresource_id:") for p in loaded.problems)
    assert any(
        p.startswith("request.provider_npi: must be a 10-digit NPI") for p in loaded.problems
    )
    assert not any("1234567940" in p for p in loaded.problems)


def test_a_request_file_must_exist_and_hold_one_request(tmp_path: Path) -> None:
    missing = load(write(tmp_path, GOOD.format(request="nowhere.json"), "a.yaml"))
    batch = FIXTURES / "requests" / "batch-2026-12-09.jsonl"
    several = load(write(tmp_path, GOOD.format(request=json.dumps(str(batch))), "b.yaml"))

    assert isinstance(missing, Malformed)
    assert missing.problems[0].startswith("request: nowhere.json: file: cannot be read")
    assert isinstance(several, Malformed)
    assert several.problems == ["request: batch-2026-12-09.jsonl holds 8 requests, not 1"]


def test_select_finds_yaml_under_folders_and_filters_by_grep(tmp_path: Path) -> None:
    chosen = select([SCENARIOS], "variant2")

    assert chosen
    assert all("variant2" in s.name for s in chosen)
    with pytest.raises(UsageError, match="no such file"):
        select([tmp_path / "missing"], None)
    with pytest.raises(UsageError, match="matching --grep"):
        select([SCENARIOS], "no-scenario-is-called-this")
    with pytest.raises(UsageError, match="not a regular expression"):
        select([SCENARIOS], "(")


def observed(**changes: object) -> Observed:
    base: dict[str, object] = {
        "state": "submitted",
        "portal_status": "approved",
        "reference_id": True,
        "attachments": [],
        "attempts": 1,
        "reconciled": False,
        "exit_code": 0,
        "portal_records": 1,
        "submit_clicks": 1,
        "error": None,
    }
    base.update(changes)
    return Observed(**base)  # type: ignore[arg-type]


def test_compare_says_expected_against_got_for_set_fields_only(tmp_path: Path) -> None:
    loaded = load(good(tmp_path))
    assert isinstance(loaded, Loaded)

    assert compare(loaded, observed(attempts=3, reconciled=True)) == []
    assert compare(loaded, observed(state="rejected", portal_status=None, reference_id=False)) == [
        "state: expected submitted, got rejected",
        "portal_status: expected approved, got none",
        "reference_id: expected true, got false",
    ]


def test_compare_checks_error_text_and_attachments(tmp_path: Path) -> None:
    path = good(tmp_path)
    extra = '  attachments: [b.pdf, a.tiff]\n  error_contains: "not eligible"\n'
    path.write_text(path.read_text() + extra)
    loaded = load(path)
    assert isinstance(loaded, Loaded)

    found = compare(loaded, observed(attachments=["a.tiff"], error="member_not_found: no"))

    assert found == [
        "attachments: expected [a.tiff, b.pdf], got [a.tiff]",
        "error: expected text containing 'not eligible', got 'member_not_found: no'",
    ]


def test_the_fixture_scenarios_cover_every_outcome_knob_variant_and_refusal() -> None:
    scenarios = all_scenarios()
    expects = [s.scenario.expect for s in scenarios]
    knobs = [s.scenario.portal.model_dump(exclude_unset=True) for s in scenarios]
    faults = {(f["step"], f["fault"]) for k in knobs for f in k.get("step_faults", [])}

    assert len(scenarios) >= 25
    assert {e.portal_status for e in expects} >= set(PortalStatus)
    assert {e.state for e in expects} >= {
        "submitted",
        "not_required",
        "rejected",
        "failed",
        "pending",
    }
    assert {k.get("ui_variant", 1) for k in knobs} == {1, 2}
    assert {name for k in knobs for name in k} == set(ConfigPatch.model_fields)
    assert {fault for _step, fault in faults} == set(get_args(FaultKind))
    assert {step for step, _fault in faults} >= {
        "login",
        "member_search",
        "details",
        "clinical",
        "submit",
        "upload",
    }
    assert set(get_args(Step)) >= {step for step, _fault in faults}
    refusals = " ".join(e.error_contains or "" for e in expects if e.state == "rejected")
    for words in (
        "Member not found",
        "not eligible",
        "no provider",
        "not in network",
        "not valid for category",
        "code 99999",
        "Answer every question",
    ):
        assert words in refusals, words
    # The error names no ICD-10-CM code (the log redacts them as PHI), so find that refusal by
    # its request: a billable code the portal does not know.
    assert any(
        s.scenario.expect.state == "rejected"
        and "does not know code" in (s.scenario.expect.error_contains or "")
        and "J45.909" in s.request.diagnosis_codes
        for s in scenarios
    )
    assert any(e.reconciled for e in expects) and any(s.scenario.then for s in scenarios)
    assert all(e.exit_code is not None for e in expects)


def test_docs_show_the_schema_generated_from_the_model() -> None:
    text = DOCS.read_text()
    match = re.search(r"```json\n(\{\n.*?\n\})\n```", text, re.DOTALL)

    assert match, "docs/SCENARIOS.md must hold the schema in a ```json block"
    assert json.loads(match.group(1)) == schema()


def results(folder: Path) -> list[Result]:
    evidence = folder / "run" / "bad" / "trace.zip"
    evidence.parent.mkdir(parents=True)
    evidence.write_bytes(b"zip")
    return [
        Result("ok", SCENARIOS / "ok.yaml", "passes", seconds=1.5, observed=observed()),
        Result(
            "bad",
            SCENARIOS / "bad.yaml",
            "fails",
            seconds=2.0,
            mismatches=["state: expected submitted, got rejected"],
            observed=observed(state="rejected"),
            evidence=[evidence],
        ),
        Result(
            "broken",
            SCENARIOS / "broken.yaml",
            "malformed scenario file",
            problems=["portal.latency: unknown field"],
            malformed=True,
        ),
    ]


def test_junit_has_a_testcase_per_scenario_and_failures_say_expected_against_got(
    tmp_path: Path,
) -> None:
    path = tmp_path / "out" / "junit.xml"

    write_junit(path, results(tmp_path))

    suite = ET.parse(path).getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("3", "2")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert cases["ok"].find("failure") is None
    bad = cases["bad"].find("failure")
    assert bad is not None
    assert bad.get("message") == "state: expected submitted, got rejected"
    assert "trace.zip" in (bad.text or "")
    broken = cases["broken"].find("failure")
    assert broken is not None
    assert broken.get("type") == "MalformedScenario"
    assert broken.get("message") == "portal.latency: unknown field"
    assert cases["broken"].get("file", "").endswith("broken.yaml")


def test_html_links_each_failure_to_its_evidence(tmp_path: Path) -> None:
    path = tmp_path / "report.html"

    write_html(path, results(tmp_path), datetime(2026, 12, 1, tzinfo=UTC))

    html = path.read_text()
    assert '<a href="run/bad/trace.zip">trace.zip</a>' in html
    assert "state: expected submitted, got rejected" in html
    assert "portal.latency: unknown field" in html
    assert "1 passed" in html.replace("\n", " ")
