"""A portal that allows one session per account (``SINGLE_SESSION``), met as a practice runs the
bot: the browser contexts of one machine share one session, two machines with the same
credentials take turns on the account instead of signing each other out, and a pool of accounts
(``PA_BOT_ACCOUNTS_FILE``) gives each machine an account of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings
from bot.errors import ExitCode
from tests.e2e.test_run_cli import assert_submitted_exactly_once, queue_items, write_jsonl
from tests.support.admin import PortalAdmin
from tests.support.cli import pa_bot, pa_bot_env

pytestmark = pytest.mark.e2e

FINAL = ("submitted", "not_required")


def start_machine(
    settings: Settings, name: str, tmp_path: Path, **env: str
) -> subprocess.Popen[str]:
    """``pa-bot run --workers 2`` as another machine: its own artifacts folder, the same queue."""
    own = pa_bot_env(settings)
    own["PA_BOT_ARTIFACTS_DIR"] = str(tmp_path / name / "artifacts")
    own.update(env)
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--workers", "2"],
        env=own,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(machines: list[subprocess.Popen[str]]) -> list[tuple[int, str, str]]:
    ended = []
    for machine in machines:
        out, err = machine.communicate(timeout=300)
        ended.append((machine.returncode, out, err))
    return ended


def events(stderr: str, name: str) -> list[dict[str, object]]:
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("event") == name]


def story(stderr: str) -> list[str]:
    """What a machine did with the account's session, in order (for a failure's message)."""
    told = {
        "logged_in",
        "signed_out_elsewhere",
        "waiting_for_turn",
        "turn_taken",
        "login_adopted",
        "session_expired",
        "item_error",
        "retrying",
    }
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    return [str(line["event"]) for line in lines if line.get("event") in told]


def test_eight_workers_of_one_machine_share_one_session(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    portal.configure(single_session=True)
    path = write_jsonl(tmp_path / "day.jsonl", 12, prefix="ONESESSION")
    assert pa_bot(settings, "enqueue", str(path)).returncode == ExitCode.OK

    done = pa_bot(settings, "run", "--workers", "8", timeout=300)

    assert done.returncode == ExitCode.OK, done.stdout[-2000:] + done.stderr[-2000:]
    items = queue_items(settings)
    assert all(item.state in FINAL for item in items), [(i.key, i.state, i.error) for i in items]
    assert_submitted_exactly_once(items, portal)
    stats = portal.stats()
    assert stats["logins_ok"] == 1, "eight contexts, one login"
    assert stats["sessions_ended_elsewhere"] == 0


def test_two_machines_with_the_same_account_take_turns_without_a_login_loop(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    portal.configure(single_session=True, latency_ms=150)
    path = write_jsonl(tmp_path / "day.jsonl", 12, prefix="TURNS")
    assert pa_bot(settings, "enqueue", str(path)).returncode == ExitCode.OK

    ended = finish([start_machine(settings, name, tmp_path) for name in ("m1", "m2")])

    for code, out, err in ended:
        assert code == ExitCode.OK, out[-2000:] + err[-2000:]
    items = queue_items(settings)
    assert all(item.state in FINAL for item in items), [(i.key, i.state, i.error) for i in items]
    assert_submitted_exactly_once(items, portal)
    assert not [i for i in items if i.attempts > 3], "no item went round and round"
    stats = portal.stats()
    # Both log in at their first item; the first signed out takes the turn and logs in again;
    # the other waits for it and, at most, logs in once more when it gets the turn at the end.
    assert 2 <= stats["logins_ok"] <= 4, (stats, [story(err) for _, _, err in ended])
    assert stats["sessions_ended_elsewhere"] <= 3, stats
    signed_out = sum(len(events(err, "signed_out_elsewhere")) for _, _, err in ended)
    assert signed_out == stats["sessions_ended_elsewhere"] or signed_out <= 3
    if stats["sessions_ended_elsewhere"]:
        assert any(events(err, "waiting_for_turn") for _, _, err in ended), [
            story(e) for _, _, e in ended
        ]
        assert any("take turns on the account" in out for _, out, _ in ended), "the report says"


def write_pool(path: Path, mode: int) -> Path:
    accounts = [
        {"username": "demo", "password": "Demo!2345"},
        {"username": "mfa-demo", "password": "Demo!2345", "totp_secret": "JBSWY3DPEHPK3PXP"},
    ]
    path.write_text(json.dumps(accounts))
    os.chmod(path, mode)
    return path


POOL_ENV = {"PA_BOT_USERNAME": "", "PA_BOT_PASSWORD": ""}


def test_a_pool_gives_each_machine_an_account_of_its_own(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    portal.configure(single_session=True, latency_ms=100)
    pool = write_pool(tmp_path / "accounts.json", 0o600)
    path = write_jsonl(tmp_path / "day.jsonl", 8, prefix="POOL")
    assert pa_bot(settings, "enqueue", str(path)).returncode == ExitCode.OK
    env = {**POOL_ENV, "PA_BOT_ACCOUNTS_FILE": str(pool)}

    ended = finish([start_machine(settings, name, tmp_path, **env) for name in ("m1", "m2")])

    for code, out, err in ended:
        assert code == ExitCode.OK, out[-2000:] + err[-2000:]
    items = queue_items(settings)
    assert all(item.state in FINAL for item in items), [(i.key, i.state, i.error) for i in items]
    assert_submitted_exactly_once(items, portal)
    stats = portal.stats()
    assert stats["sessions_ended_elsewhere"] == 0, "no machine signed another out"
    assert stats["logins_ok"] == 2, "one login per machine, each with its own account"
    taken = [events(err, "pool_account_taken") for _, _, err in ended]
    assert all(len(t) == 1 for t in taken) and taken[0][0]["account"] != taken[1][0]["account"]


def test_a_pool_file_others_can_read_is_refused(settings: Settings, tmp_path: Path) -> None:
    pool = write_pool(tmp_path / "accounts.json", 0o644)

    done = pa_bot(settings, "run", extra_env={**POOL_ENV, "PA_BOT_ACCOUNTS_FILE": str(pool)})

    assert done.returncode == ExitCode.USAGE
    assert "can be read by others" in done.stdout and f"chmod 600 {pool}" in done.stdout
    assert "Demo!2345" not in done.stdout + done.stderr


def test_a_pool_and_a_single_account_at_once_are_refused(
    settings: Settings, tmp_path: Path
) -> None:
    pool = write_pool(tmp_path / "accounts.json", 0o600)

    done = pa_bot(settings, "run", extra_env={"PA_BOT_ACCOUNTS_FILE": str(pool)})

    assert done.returncode == ExitCode.USAGE
    assert "PA_BOT_ACCOUNTS_FILE and PA_BOT_USERNAME, PA_BOT_PASSWORD are both set" in done.stdout
