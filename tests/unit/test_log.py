"""Logging: JSON or console lines with the item id on each, and no PHI or secret on any."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from datetime import date

import pytest
import structlog

from bot import log
from bot.config import Settings
from bot.models import AuthRequest
from tests.unit.test_models import request_data

PASSWORD = "Unit!Pa55word-7"
TOTP_SECRET = "KRSXG5CTMVRXEZLU"
MEMBER = {
    "caresource_id": "204060801",
    "medicaid_id": "990011223344",
    "first_name": "Zebulon",
    "last_name": "Quixotic",
    "dob": "1961-07-04",
}
CONTACT = {
    "name": "Wilhelmina Frontdesk",
    "phone": "6145559876",
    "fax": "6145559877",
    "email": "wilhelmina@clinic.example",
}
SECRETS = [
    "204060801",
    "990011223344",
    "Zebulon",
    "Quixotic",
    "1961-07-04",
    "07/04/1961",
    "7/4/1961",
    "Wilhelmina",
    "Frontdesk",
    "6145559876",
    "614-555-9876",
    "(614) 555-9876",
    "6145559877",
    "wilhelmina@clinic.example",
    PASSWORD,
    TOTP_SECRET,
]


@pytest.fixture
def request_() -> AuthRequest:
    return AuthRequest.model_validate(request_data(member=MEMBER, contact=CONTACT))


@pytest.fixture(autouse=True)
def _clean_context() -> Iterator[None]:
    structlog.contextvars.clear_contextvars()
    log.protect_secret(Settings(_env_file=None, password=PASSWORD, totp_secret=TOTP_SECRET))
    yield
    structlog.contextvars.clear_contextvars()
    log.configure(json=True, stream=io.StringIO())


def chatty_run(request: AuthRequest) -> None:
    """What a careless flow might log about a request: every kind of place a value can hide."""
    logger = log.get_logger("tests.chatty").bind(bound_note=f"for {request.member.first_name}")
    member = request.member
    logger.info(f"searching {member.first_name} {member.last_name} born 07/04/1961")
    logger.info("search", query=f"{member.last_name}, {member.first_name} 7/4/1961")
    logger.info("ids", found=[member.caresource_id, {"medicaid": member.medicaid_id}])
    logger.info("dob", born=member.dob, tuple_of=("x", "ZEBULON QUIXOTIC"))
    logger.info("whole request", request=request, contact=request.contact)
    logger.info("login", password=PASSWORD, totp_code="123456", headers={"Cookie": "sid=1"})
    logger.info("formatted phone (614) 555-9876 and 614-555-9876")
    try:
        raise RuntimeError(f"no member {member.last_name} ({member.dob}); password {PASSWORD}")
    except RuntimeError:
        logger.exception("search_failed")
    try:
        try:
            raise KeyError(member.caresource_id)
        except KeyError as inner:
            raise ValueError(f"lookup of {member.first_name} failed") from inner
    except ValueError:
        logger.exception("chained")


def run_logged(request: AuthRequest, *, json_mode: bool) -> str:
    stream = io.StringIO()
    log.configure(json=json_mode, stream=stream)
    with (
        log.protect_request(request),
        structlog.contextvars.bound_contextvars(item_id=42),
    ):
        chatty_run(request)
    return stream.getvalue()


@pytest.mark.parametrize("json_mode", [True, False])
def test_no_phi_or_secret_reaches_the_output(request_: AuthRequest, json_mode: bool) -> None:
    output = run_logged(request_, json_mode=json_mode)
    assert "[REDACTED]" in output
    assert "Traceback" in output or '"exc_type"' in output
    for value in SECRETS:
        assert value.lower() not in output.lower(), value


def test_json_lines_carry_the_item_id_level_and_utc_timestamp(request_: AuthRequest) -> None:
    lines = run_logged(request_, json_mode=True).splitlines()
    assert len(lines) == 9
    for line in lines:
        entry = json.loads(line)
        assert entry["item_id"] == 42
        assert entry["level"] in {"info", "error"}
        assert entry["timestamp"].endswith("Z")
        assert date.fromisoformat(entry["timestamp"][:10])
        assert entry["module"] == "tests.chatty"
    failed = json.loads(lines[7])
    assert failed["event"] == "search_failed"
    assert failed["exception"][0]["exc_type"] == "RuntimeError"
    assert failed["exception"][0]["exc_value"] == (
        "no member [REDACTED] ([REDACTED]); password [REDACTED]"
    )


def test_console_lines_carry_the_item_id(request_: AuthRequest) -> None:
    output = run_logged(request_, json_mode=False)
    events = [line for line in output.splitlines() if line.startswith("20")]
    assert len(events) == 9
    assert all("item_id=42" in line for line in events)
    assert "\x1b[" not in output  # no colours when the stream is not a terminal


def test_sensitive_keys_are_redacted_even_when_not_registered() -> None:
    stream = io.StringIO()
    log.configure(json=True, stream=stream)
    log.get_logger().info(
        "keys",
        password="hunter22",
        totp_code="654321",
        dob="2001-02-03",
        nested={"first_name": "Ann", "deeper": [{"csrf_token": "abc123", "X-Session-Cookie": "z"}]},
        step="member_search",
        category="Advanced Imaging",
    )
    entry = json.loads(stream.getvalue())
    assert entry["password"] == entry["totp_code"] == entry["dob"] == "[REDACTED]"
    assert entry["nested"] == {
        "first_name": "[REDACTED]",
        "deeper": [{"csrf_token": "[REDACTED]", "X-Session-Cookie": "[REDACTED]"}],
    }
    assert (entry["step"], entry["category"]) == ("member_search", "Advanced Imaging")


def test_protection_lasts_for_its_block_only(request_: AuthRequest) -> None:
    with log.protect_request(request_):
        assert log.redact("Zebulon Quixotic") == "[REDACTED]"
        log.protect("EPS-00001234")
        assert log.redact("ref EPS-00001234") == "ref [REDACTED]"
        with log.protected("Quixotic-2"):
            assert log.redact("Quixotic-2") == "[REDACTED]"
    assert log.redact("Zebulon EPS-00001234") == "Zebulon EPS-00001234"
    assert log.redact(f"password {PASSWORD}") == "password [REDACTED]"


def test_short_values_are_never_registered() -> None:
    with log.protected("a", "12", "", None, "Kim"):
        assert log.redact("a 12 Kim Kimberly") == "a 12 [REDACTED] [REDACTED]berly"


def test_two_letter_names_are_redacted_as_whole_words_only() -> None:
    with log.protected("Li", "Al"):
        assert log.redact("Li, AL and Al-Li") == "[REDACTED], [REDACTED] and [REDACTED]-[REDACTED]"
        assert log.redact("Limit Alpha Kali") == "Limit Alpha Kali"
    log.protect("Li")
    assert log.redact("member Li; Limit 3") == "member [REDACTED]; Limit 3"


def test_a_request_with_two_letter_names_is_redacted_by_word() -> None:
    member = {**MEMBER, "first_name": "Al", "last_name": "Li"}
    request = AuthRequest.model_validate(request_data(member=member, contact=CONTACT))
    with log.protect_request(request):
        assert log.redact("found Li, Al (Al Li)") == "found [REDACTED], [REDACTED] ([REDACTED])"
        assert log.redact("Limit Alpha") == "Limit Alpha"


def test_diagnosis_codes_and_clinical_notes_of_the_request_are_redacted() -> None:
    notes = "Low back pain for 8 weeks, failed PT."
    request = AuthRequest.model_validate(
        request_data(
            member=MEMBER,
            contact=CONTACT,
            diagnosis_codes=["M54.50", "M5416"],
            clinical={"notes": notes},
        )
    )
    with log.protect_request(request):
        assert log.redact("dx M54.50 / m5450, M54.16 and M5416") == (
            "dx [REDACTED] / [REDACTED], [REDACTED] and [REDACTED]"
        )
        assert log.redact(f"notes: {notes}") == "notes: [REDACTED]"
    assert log.redact("dx M54.50") == "dx M54.50"


def test_threads_do_not_share_their_protected_values() -> None:
    seen: list[str] = []

    def worker() -> None:
        log.protect("Ottoline")
        seen.append(log.redact("Ottoline"))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == ["[REDACTED]"]
    assert log.redact("Ottoline") == "Ottoline"


def test_redaction_is_case_insensitive_and_prefers_the_longest_value() -> None:
    with log.protected("Ann", "Annabel Lee"):
        assert log.redact("ANNABEL LEE and ann") == "[REDACTED] and [REDACTED]"


def test_configure_again_switches_stream_renderer_and_level() -> None:
    first, second = io.StringIO(), io.StringIO()
    logger = log.get_logger(__name__)
    log.configure(json=True, stream=first)
    logger.info("one")
    log.configure(json=False, level="WARNING", stream=second)
    logger.info("dropped")
    logger.warning("two")
    assert json.loads(first.getvalue())["event"] == "one"
    assert "dropped" not in second.getvalue()
    assert "two" in second.getvalue() and not second.getvalue().startswith("{")
    assert log.current_json() is False


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_renderer_follows_the_stream_when_not_chosen() -> None:
    log.configure(stream=io.StringIO())
    assert log.current_json() is True
    terminal = _Terminal()
    log.configure(stream=terminal)
    assert log.current_json() is False
    log.get_logger().info("hello")
    assert not terminal.getvalue().startswith("{")


def test_an_unknown_level_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown log level"):
        log.configure(level="LOUD", stream=io.StringIO())
