"""Every setting DESIGN.md documents, set the way a person sets it: in the environment of a real
process. Each value is read as typed (text) and takes effect; a bad one ends with one line that
names the variable and what it accepts, exit 2, no traceback."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings
from bot.errors import ExitCode
from mock_portal.settings import PortalSettings
from tests.support.served import login_page_of_portal

DESIGN = Path(__file__).resolve().parents[2] / "docs" / "DESIGN.md"

#: A value other than the default for every documented variable, as a person would type it.
PA_BOT = {
    "PORTAL_URL": "https://portal.example.org/",
    "USERNAME": "frontdesk",
    "PASSWORD": "s3cret!",
    "TOTP_SECRET": "JBSWY3DPEHPK3PXP",
    "ACCOUNTS_FILE": "/etc/pa-bot/accounts.json",
    "QUEUE_URL": "postgresql://pa@db.example.org/pa",
    "ARTIFACTS_DIR": "/srv/pa-bot/artifacts",
    "HEADLESS": "false",
    "WORKERS": "4",
    "MAX_ATTEMPTS": "5",
    "BROWSER_EXECUTABLE": "/opt/chromium/chrome",
    "BROWSER_ENDPOINT": "ws://10.0.0.5:3000/",
    "TIMEOUT_MS": "30000",
    "MAX_CONSECUTIVE_SYSTEM_ERRORS": "9",
    "LEASE_SECONDS": "45",
    "ITEM_DEADLINE_S": "900",
    "STOP_GRACE_S": "20",
    "RECONCILE_GRACE_S": "300",
    "MAX_REQUESTS_PER_MINUTE": "50",
    "RETRY_WAIT_SECONDS": "2.5",
    "TRACE": "always",
    "TRACE_SNAPSHOTS": "true",
    "RESIDENT_HOURS": "19:00-07:00",
    "CONSOLE_IDLE_MINUTES": "30",
    "CONSOLE_SECURE_COOKIE": "true",
    "FHIR_SYNC_S": "5",
    "CONTACT_NAME": "Pat Frontdesk",
    "CONTACT_PHONE": "6145550100",
    "CONTACT_FAX": "6145550101",
    "PRACTICE_NAME": "Riverside Occupational Health",
    "PRACTICE_ADDRESS": "100 River Rd, Columbus OH 43215",
    "PRACTICE_PHONE": "614-555-0100",
    "PRACTICE_FAX": "614-555-0101",
    "PLAN": "Ohio Marketplace",
    "APPEAL_DAYS": '{"Medicaid": 60, "Ohio Marketplace": 180}',
}
MOCK_PORTAL = {
    "HOST": "0.0.0.0",
    "PORT": "9000",
    "DB": "/tmp/portal.db",
    "LATENCY_MS": "250",
    "ERROR_RATE": "0.05",
    "FAIL_AFTER_SUBMIT_RATE": "0.1",
    "SUBMIT_DELAY_MS": "1500",
    "STATUS_INDEX_DELAY_S": "20",
    "PASSWORD_EXPIRES_IN_DAYS": "5",
    "ANNOUNCEMENT": "Portal upgrade on Sunday.",
    "RATE_LIMIT_PER_MINUTE": "60",
    "SINGLE_SESSION": "true",
    "MAINTENANCE": "true",
    "UI_DRIFT": "true",
    "SESSION_TIMEOUT_S": "60",
    "SEED": "7",
    "UI_VARIANT": "2",
}
EXPECTED = {
    "appeal_days": {"Medicaid": 60, "Ohio Marketplace": 180},
    "portal_url": "https://portal.example.org",
    "password": "s3cret!",
    "totp_secret": "JBSWY3DPEHPK3PXP",
    "headless": False,
    "workers": 4,
    "max_attempts": 5,
    "timeout_ms": 30000,
    "max_consecutive_system_errors": 9,
    "lease_seconds": 45,
    "item_deadline_s": 900.0,
    "stop_grace_s": 20.0,
    "reconcile_grace_s": 300.0,
    "max_requests_per_minute": 50,
    "retry_wait_seconds": 2.5,
    "trace_snapshots": True,
    "resident_hours": "19:00-07:00",
    "console_idle_minutes": 30,
    "console_secure_cookie": True,
    "fhir_sync_s": 5.0,
    "contact_name": "Pat Frontdesk",
    "contact_phone": "6145550100",
    "contact_fax": "6145550101",
    "port": 9000,
    "latency_ms": 250,
    "error_rate": 0.05,
    "fail_after_submit_rate": 0.1,
    "submit_delay_ms": 1500,
    "status_index_delay_s": 20.0,
    "password_expires_in_days": 5,
    "announcement": "Portal upgrade on Sunday.",
    "rate_limit_per_minute": 60,
    "single_session": True,
    "maintenance": True,
    "ui_drift": True,
    "session_timeout_s": 60,
    "seed": 7,
    "ui_variant": 2,
}
READ = """
import json
from bot.config import Settings
from mock_portal.settings import PortalSettings
bot, portal = Settings(), PortalSettings()
values = {**bot.model_dump(mode="json"), **portal.model_dump(mode="json")}
values["password"] = bot.password.get_secret_value()
values["totp_secret"] = bot.totp_secret.get_secret_value()
print(json.dumps(values))
"""

#: One bad value per variable whose type can refuse one, and the words of what it accepts.
BAD = [
    ("PA_BOT_PORTAL_URL", "portal.example.org", "must start with http:// or https://"),
    ("PA_BOT_PORTAL_URL", "http://portal.example.org", "use https://"),
    ("PA_BOT_QUEUE_URL", "mysql://db/pa", "must be sqlite:///path or postgresql://"),
    ("PA_BOT_HEADLESS", "maybe", "valid boolean"),
    ("PA_BOT_WORKERS", "0", "greater than or equal to 1"),
    ("PA_BOT_MAX_ATTEMPTS", "99", "less than or equal to 20"),
    ("PA_BOT_TIMEOUT_MS", "15s", "valid integer"),
    ("PA_BOT_MAX_CONSECUTIVE_SYSTEM_ERRORS", "0", "greater than or equal to 1"),
    ("PA_BOT_LEASE_SECONDS", "5", "greater than or equal to 10"),
    ("PA_BOT_RECONCILE_GRACE_S", "-1", "greater than or equal to 0"),
    ("PA_BOT_MAX_REQUESTS_PER_MINUTE", "0", "greater than or equal to 1"),
    ("PA_BOT_RETRY_WAIT_SECONDS", "soon", "valid number"),
    ("PA_BOT_TRACE", "never", "'retries' or 'always'"),
    ("PA_BOT_TRACE_SNAPSHOTS", "sometimes", "valid boolean"),
    ("PA_BOT_RESIDENT_HOURS", "7pm-7am", "must be HH:MM-HH:MM"),
    ("PA_BOT_PLAN", "Gold", "must be a plan of PA_BOT_APPEAL_DAYS"),
    ("PA_BOT_APPEAL_DAYS", "sixty", "must be valid JSON"),
]
BAD_PORTAL = [
    ("MOCK_PORTAL_PORT", "70000", "less than or equal to 65535"),
    ("MOCK_PORTAL_LATENCY_MS", "fast", "valid integer"),
    ("MOCK_PORTAL_ERROR_RATE", "5%", "valid number"),
    ("MOCK_PORTAL_FAIL_AFTER_SUBMIT_RATE", "2", "less than or equal to 1"),
    ("MOCK_PORTAL_SUBMIT_DELAY_MS", "-5", "greater than or equal to 0"),
    ("MOCK_PORTAL_RATE_LIMIT_PER_MINUTE", "-1", "greater than or equal to 0"),
    ("MOCK_PORTAL_MAINTENANCE", "soon", "valid boolean"),
    ("MOCK_PORTAL_UI_DRIFT", "renamed", "valid boolean"),
    ("MOCK_PORTAL_SESSION_TIMEOUT_S", "0", "greater than or equal to 1"),
    ("MOCK_PORTAL_SEED", "x", "valid integer"),
    ("MOCK_PORTAL_UI_VARIANT", "3", "1 or 2"),
]


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any setting of ours, plus ``extra``."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("PA_BOT_", "MOCK_PORTAL_"))}
    return {**kept, "COLUMNS": "60", **extra}


def documented(prefix: str) -> set[str]:
    """The variable names DESIGN.md lists for ``prefix`` (its Settings and Mock portal lines)."""
    text = DESIGN.read_text()
    start = text.index("**Settings**" if prefix == "PA_BOT_" else "**Mock portal**")
    end = text.index("**Mock portal**" if prefix == "PA_BOT_" else "its test-only admin API")
    return set(re.findall(r"`([A-Z][A-Z_]+)`", text[start:end])) - {prefix}


def test_design_documents_every_setting_and_nothing_else() -> None:
    assert documented("PA_BOT_") == set(PA_BOT) == {f.upper() for f in Settings.model_fields}
    knobs = {f.upper() for f in PortalSettings.model_fields} - {"FIXTURES"}
    assert documented("MOCK_PORTAL_") == set(MOCK_PORTAL) == knobs


def test_every_setting_is_read_from_the_environment_of_a_real_process(tmp_path: Path) -> None:
    env = clean_env(
        **{f"PA_BOT_{k}": v for k, v in PA_BOT.items()},
        **{f"MOCK_PORTAL_{k}": v for k, v in MOCK_PORTAL.items()},
    )

    done = subprocess.run(
        [sys.executable, "-c", READ], env=env, cwd=tmp_path, capture_output=True, text=True
    )

    assert done.returncode == 0, done.stderr
    values = json.loads(done.stdout)
    for name, text in {**PA_BOT, **MOCK_PORTAL}.items():
        field = name.lower()
        assert values[field] == EXPECTED.get(field, text), name


def said(line: str) -> dict[str, str]:
    """``error: NAME: what it accepts; NAME: …`` as ``{NAME: what it accepts}``."""
    assert line.startswith("error: "), line
    return dict(part.split(": ", 1) for part in line.removeprefix("error: ").split("; "))


@pytest.mark.parametrize(
    "cases",
    [BAD[:1] + BAD[2:-2], BAD[1:2], BAD[-2:-1], BAD[-1:]],
    # PLAN is checked once every value was read; a JSON value that is not JSON stops the reading
    ids=["all", "http", "plan", "json"],
)
def test_bad_bot_settings_are_one_line_naming_each_and_exit_2(
    tmp_path: Path, cases: list[tuple[str, str, str]]
) -> None:
    env = clean_env(**{name: value for name, value, _ in cases}, PA_BOT_PASSWORD="never-shown")

    done = subprocess.run(
        [sys.executable, "-m", "bot", "status"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )

    assert done.returncode == ExitCode.USAGE
    (line,) = done.stderr.splitlines()
    problems = said(line)
    assert set(problems) == {name for name, _, _ in cases}
    for name, _, accepts in cases:
        assert accepts in problems[name], (name, problems[name])
    assert "never-shown" not in done.stdout + done.stderr and "Traceback" not in line
    assert not (tmp_path / "var").exists(), "no queue opened"


@pytest.mark.parametrize("command", [["-m", "bot", "portal"], ["-m", "mock_portal"]])
def test_bad_portal_settings_are_one_line_naming_each_and_exit_2(
    tmp_path: Path, command: list[str]
) -> None:
    done = subprocess.run(
        [sys.executable, *command],
        env=clean_env(**{name: value for name, value, _ in BAD_PORTAL}),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == ExitCode.USAGE
    (line,) = done.stderr.splitlines()
    problems = said(line)
    assert set(problems) == {name for name, _, _ in BAD_PORTAL}
    for name, _, accepts in BAD_PORTAL:
        assert accepts in problems[name], (name, problems[name])


def test_the_second_ui_variant_from_the_environment_answers(tmp_path: Path) -> None:
    """``MOCK_PORTAL_UI_VARIANT=2 pa-bot portal``, as the README says, serves the second UI."""
    env = clean_env(MOCK_PORTAL_UI_VARIANT="2", MOCK_PORTAL_DB="portal.db")

    page = login_page_of_portal([sys.executable, "-m", "bot", "portal"], env, tmp_path)

    assert '<body class="ui-v2">' in page


def test_a_plan_without_a_day_to_appeal_is_refused(tmp_path: Path) -> None:
    env = clean_env(PA_BOT_APPEAL_DAYS='{"Medicaid": 0}')

    done = subprocess.run(
        [sys.executable, "-m", "bot", "status"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )

    assert done.returncode == ExitCode.USAGE
    assert said(done.stderr.strip())["PA_BOT_APPEAL_DAYS"] == "every plan needs at least 1 day"
