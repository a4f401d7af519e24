"""The login gate as the practice meets it: real ``pa-bot`` processes, real Chromium, the mock
portal's own count of failed logins as the judge (it locks an account at five)."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.config import Settings
from bot.errors import ExitCode
from bot.queue import State, open_queue
from tests.support.admin import PortalAdmin
from tests.support.cli import pa_bot, pa_bot_env
from tests.support.postgres import pg_new_url as pg_new_url
from tests.support.postgres import pg_server as pg_server
from tests.support.requests import varied_requests

pytestmark = pytest.mark.e2e

WRONG = "Wrong!Password1"


def enqueue(settings: Settings, folder: Path, count: int, prefix: str) -> None:
    lines = [r.model_dump_json(exclude_none=True) for r in varied_requests(count, prefix=prefix)]
    path = folder / f"{prefix}.jsonl"
    path.write_text("\n".join(lines) + "\n")
    (folder / f"{prefix}-one.json").write_text(lines[0])
    assert pa_bot(settings, "enqueue", str(path)).returncode == ExitCode.OK


def states(settings: Settings) -> set[State]:
    queue = open_queue(settings.queue_url)
    try:
        return {item.state for item in queue.items()}
    finally:
        queue.close()


def test_a_wrong_password_costs_one_failed_login_across_workers_runs_and_commands(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    enqueue(settings, tmp_path, 6, "GATE")

    first = pa_bot(settings, "run", "--workers", "4", password=WRONG)

    assert first.returncode == ExitCode.LOGIN_REJECTED
    assert portal.stats()["logins_failed"] == 1, "four workers, one attempt"
    assert states(settings) == {State.PENDING}, "a login rejection rejects no item"

    again = pa_bot(settings, "run", "--workers", "4", password=WRONG)
    follow = pa_bot(settings, "follow-up", password=WRONG)
    submit = pa_bot(settings, "submit", str(tmp_path / "GATE-one.json"), password=WRONG)

    for done in (again, follow, submit):
        assert done.returncode == ExitCode.LOGIN_REJECTED, done.stdout + done.stderr
        said = " ".join((done.stdout + done.stderr).split())
        assert "No attempt was made now" in said
        assert "pa-bot login" in said, "it says how to go on"
        assert WRONG not in done.stdout + done.stderr
    assert portal.stats()["logins_failed"] == 1, "a recorded rejection is never tried again"

    changed = pa_bot(settings, "run", password=WRONG + "2")
    assert changed.returncode == ExitCode.LOGIN_REJECTED
    assert portal.stats()["logins_failed"] == 2, "changed credentials are tried once"
    assert pa_bot(settings, "run", password=WRONG + "2").returncode == ExitCode.LOGIN_REJECTED
    assert portal.stats()["logins_failed"] == 2

    fixed = pa_bot(settings, "run", "--workers", "2")
    assert fixed.returncode == ExitCode.OK, fixed.stdout + fixed.stderr
    assert states(settings) == {State.SUBMITTED}
    assert portal.stats()["logins_failed"] == 2


def test_pa_bot_login_tries_once_on_purpose_and_clears_the_record(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    assert pa_bot(settings, "run", password=WRONG).returncode == ExitCode.OK, "nothing queued"
    enqueue(settings, tmp_path, 1, "LOGIN")
    assert pa_bot(settings, "run", password=WRONG).returncode == ExitCode.LOGIN_REJECTED

    retried = pa_bot(settings, "login", password=WRONG)
    assert retried.returncode == ExitCode.LOGIN_REJECTED
    assert portal.stats()["logins_failed"] == 2, "a person's `pa-bot login` is one attempt"

    portal.reset()  # the account works again on the portal (unlocked, password reset)
    assert pa_bot(settings, "login").returncode == ExitCode.OK
    assert portal.stats()["logins_failed"] == 0
    assert portal.stats()["logins_ok"] == 1
    assert pa_bot(settings, "run").returncode == ExitCode.OK


def test_missing_credentials_exit_2_naming_the_setting_with_no_attempt(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    enqueue(settings, tmp_path, 1, "NOCRED")
    env = pa_bot_env(settings)
    del env["PA_BOT_USERNAME"]

    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"], env=env, capture_output=True, text=True, check=False
    )

    assert done.returncode == ExitCode.USAGE
    assert "PA_BOT_USERNAME" in done.stdout + done.stderr
    assert portal.stats()["logins_ok"] + portal.stats()["logins_failed"] == 0
    assert states(settings) == {State.PENDING}


def test_an_http_portal_off_the_loopback_is_refused(settings: Settings, tmp_path: Path) -> None:
    done = pa_bot(settings, "run", extra_env={"PA_BOT_PORTAL_URL": "http://portal.example.org"})

    assert done.returncode == ExitCode.USAGE
    assert "https" in done.stdout + done.stderr


class CaptchaPortal(ThreadingHTTPServer):
    """A portal whose login page the bot cannot read: a CAPTCHA, and nothing else."""

    pages_served = 0


class _Captcha(BaseHTTPRequestHandler):
    server: CaptchaPortal

    def do_GET(self) -> None:
        self.server.pages_served += 1
        body = (
            b"<!doctype html><title>Sign in</title><h1>Verify you are human</h1>"
            b"<p>Select every picture with a bus.</p><button>Continue</button>"
        )
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def captcha_portal() -> Iterator[CaptchaPortal]:
    server = CaptchaPortal(("127.0.0.1", 0), _Captcha)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_an_unrecognised_login_page_stops_with_exit_4_after_one_look(
    settings: Settings, captcha_portal: CaptchaPortal, tmp_path: Path
) -> None:
    enqueue(settings, tmp_path, 3, "CAPTCHA")
    url = f"http://127.0.0.1:{captcha_portal.server_address[1]}"
    env = {"PA_BOT_PORTAL_URL": url, "PA_BOT_TIMEOUT_MS": "2000"}

    done = pa_bot(settings, "run", "--workers", "2", extra_env=env)

    assert done.returncode == ExitCode.LOGIN_REJECTED, done.stdout + done.stderr
    assert captcha_portal.pages_served == 1, "one worker looked, once; the other waited"
    assert "does not recognise" in " ".join(done.stdout.split()) or "shows no" in done.stdout
    assert list((settings.artifacts_dir / "login").glob("unrecognised-*.png")), "a screenshot"
    assert states(settings) == {State.PENDING}, "never turns items rejected"

    again = pa_bot(settings, "run", extra_env=env)
    assert again.returncode == ExitCode.LOGIN_REJECTED
    assert captcha_portal.pages_served == 1, "never retried"


def two_machines(
    settings: Settings, tmp_path: Path, extra: dict[str, str]
) -> list[subprocess.CompletedProcess[str]]:
    """Two `pa-bot run` processes at once on one queue, each with its own artifacts folder
    (its own saved login), as two machines of a practice would be."""
    processes = []
    for name in ("machine-a", "machine-b"):
        env = pa_bot_env(settings) | {"PA_BOT_ARTIFACTS_DIR": str(tmp_path / name)} | extra
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "bot", "run", "--workers", "2"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    done = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        done.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return done


def test_two_machines_on_postgres_with_a_wrong_password_make_one_failed_login(
    settings: Settings,
    portal: PortalAdmin,
    tmp_path: Path,
    pg_new_url: Callable[[], str],
) -> None:
    settings = settings.model_copy(update={"queue_url": pg_new_url()})
    enqueue(settings, tmp_path, 4, "PGGATE")

    runs = two_machines(settings, tmp_path, {"PA_BOT_PASSWORD": WRONG})

    assert [run.returncode for run in runs] == [ExitCode.LOGIN_REJECTED] * 2, runs
    assert portal.stats()["logins_failed"] == 1, "one attempt for both machines"
    assert states(settings) == {State.PENDING}


def test_two_machines_with_one_totp_account_never_send_a_code_twice(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    """The portal takes each code once; the second machine's login waits for the next step."""
    enqueue(settings, tmp_path, 4, "TOTP")
    totp = {"PA_BOT_USERNAME": "mfa-demo", "PA_BOT_TOTP_SECRET": "JBSWY3DPEHPK3PXP"}

    runs = two_machines(settings, tmp_path, totp)

    assert [run.returncode for run in runs] == [ExitCode.OK] * 2, runs
    assert portal.stats()["logins_failed"] == 0
    assert portal.stats()["logins_ok"] >= 2
    assert states(settings) == {State.SUBMITTED}
