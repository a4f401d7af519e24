"""``pa-bot submit`` as staff run it: a subprocess with its own Chromium, exit codes as DESIGN.md
says, and logs that never carry PHI or secrets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.config import Settings
from tests.support.admin import PortalAdmin
from tests.support.cli import pa_bot
from tests.support.requests import make_request, member

pytestmark = pytest.mark.e2e


def write_request(folder: Path, **kwargs: object) -> Path:
    request = make_request(**kwargs)  # type: ignore[arg-type]
    path = folder / "request.json"
    path.write_text(request.model_dump_json(exclude_none=True, indent=2))
    return path


def test_submit_prints_reference_id_and_saves_proof(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    path = write_request(tmp_path, kind="clinical")

    done = pa_bot(settings, "submit", str(path))

    assert done.returncode == 0, done.stdout + done.stderr
    (recorded,) = portal.authorizations()
    assert recorded["reference_id"] in done.stdout
    assert "submitted" in done.stdout
    assert "approved" in done.stdout
    proofs = sorted(p.name for p in settings.artifacts_dir.rglob("proof.*"))
    assert proofs == ["proof.pdf"]
    assert settings.artifacts_dir.stat().st_mode & 0o077 == 0


def test_submit_twice_never_submits_twice(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    path = write_request(tmp_path, kind="clinical", id="REQ-TWICE-1")

    first = pa_bot(settings, "submit", str(path))
    second = pa_bot(settings, "submit", str(path))

    assert first.returncode == second.returncode == 0
    assert "not submitted again" in second.stdout
    assert len(portal.authorizations()) == 1


def test_malformed_request_exit_2_with_every_field_error(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            {
                "member": {"caresource_id": "12"},
                "provider_npi": "1234567890",
                "category": "Advanced Imaging",
                "start_date": "2026-12-05",
                "end_date": "2026-12-01",
                "treatment_type": "Diagnostic",
                "place_of_service": "11",
                "diagnosis_codes": ["Q99.999"],
                "procedures": [{"code": "7214", "units": 0}],
                "attachments": ["missing.pdf"],
                "contact": {"name": "A", "phone": "123", "fax": "6145550101"},
            }
        )
    )

    done = pa_bot(settings, "submit", str(path))

    assert done.returncode == 2
    for field in (
        "member.caresource_id",
        "provider_npi",
        "diagnosis_codes",
        "procedures[0].code",
        "procedures[0].units",
        "attachments",
        "contact.phone",
    ):
        assert field in done.stdout, field
    assert portal.stats()["requests"] == 0, "no browser may reach the portal"


def test_not_json_exit_2(settings: Settings, portal: PortalAdmin, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("{not json")

    done = pa_bot(settings, "submit", str(path))

    assert done.returncode == 2
    assert "bad.json" in done.stdout


def test_maintenance_exit_3_and_item_stays_queued(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    portal.configure(maintenance=True)
    path = write_request(tmp_path, kind="clinical")

    done = pa_bot(settings, "submit", str(path))

    assert done.returncode == 3, done.stdout + done.stderr
    assert "pending" in done.stdout


def test_bad_credentials_exit_4_after_one_attempt(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    path = write_request(tmp_path, kind="clinical")

    done = pa_bot(settings, "submit", str(path), password="wrong-password")

    assert done.returncode == 4, done.stdout + done.stderr
    assert portal.stats()["logins_failed"] == 1
    assert "wrong-password" not in done.stdout + done.stderr


@pytest.mark.parametrize("log_format", ["json", "console"])
def test_logs_carry_no_phi_or_secrets(
    settings: Settings, portal: PortalAdmin, tmp_path: Path, log_format: str
) -> None:
    person = member()
    path = write_request(
        tmp_path,
        kind="clinical",
        member={
            "first_name": person["first_name"],
            "last_name": person["last_name"],
            "dob": person["dob"],
        },
    )
    portal.configure(step_faults=[{"step": "details", "fault": "expire_session", "times": 1}])

    done = pa_bot(settings, "submit", str(path), log_format=log_format)

    assert done.returncode == 0, done.stdout + done.stderr
    output = done.stdout + done.stderr
    assert "retrying" in output
    year, month, day = person["dob"].split("-")
    for secret in (
        person["caresource_id"],
        person["medicaid_id"],
        person["first_name"],
        person["last_name"],
        person["dob"],
        f"{month}/{day}/{year}",
        "Demo!2345",
    ):
        assert secret not in output, f"{secret!r} leaked into the output"


def test_a_lost_answer_is_waited_out_and_found_not_left_queued(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    """The portal records the Submit, answers 500, and its Status search shows the request only
    4 s later: ``submit`` waits inside the grace and ends with the reference id, once."""
    portal.configure(
        status_index_delay_s=4, step_faults=[{"step": "submit", "fault": "500_after", "times": 1}]
    )
    path = write_request(tmp_path, kind="clinical", id="REQ-LOST-ANSWER-1")

    done = pa_bot(settings, "submit", str(path), extra_env={"PA_BOT_RECONCILE_GRACE_S": "30"})

    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    (recorded,) = portal.authorizations()
    assert recorded["reference_id"] in done.stdout
    assert "waiting_for_status_index" in done.stderr
