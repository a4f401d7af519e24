"""The whole flow in headless Chromium against the mock portal over HTTP, one outcome per test."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser
from pydantic import SecretStr
from stdnum import luhn

from bot import flow
from bot.config import Settings
from bot.errors import (
    CodeRefused,
    MemberNotEligible,
    PortalMaintenance,
    PortalValidationError,
    ProviderNotFound,
)
from bot.models import PortalStatus
from bot.session import PortalSession
from tests.e2e.conftest import RecordingJournal
from tests.support.admin import PortalAdmin
from tests.support.requests import attachment, make_request, member, procedure

pytestmark = pytest.mark.e2e


def unknown_npi() -> str:
    nine = "198765432"
    return nine + luhn.calc_check_digit("80840" + nine)


@pytest.mark.parametrize("variant", [1, 2])
async def test_approved_when_criteria_met(
    session: PortalSession, portal: PortalAdmin, variant: int
) -> None:
    portal.configure(ui_variant=variant)
    request = make_request("clinical", meet=True)
    journal = RecordingJournal()

    outcome = await flow.process(session, request, journal)

    assert outcome.state == "submitted"
    assert outcome.portal_status == PortalStatus.APPROVED
    assert outcome.reference_id and len(outcome.reference_id) == 9
    assert outcome.authorization_number and outcome.authorization_number.startswith("EPS-")
    assert [line.procedure for line in outcome.lines] == [request.procedures[0].code]
    assert journal.submits == 1
    assert "document_clinical" in journal.steps
    for proof in outcome.artifacts:
        assert Path(proof).stat().st_size > 0
    recorded = portal.authorizations()
    assert [a["reference_id"] for a in recorded] == [outcome.reference_id]
    assert recorded[0]["status"] == "Approved"


@pytest.mark.parametrize("variant", [1, 2])
async def test_pended_with_attachment_uploaded(
    session: PortalSession, portal: PortalAdmin, variant: int
) -> None:
    portal.configure(ui_variant=variant)
    request = make_request(
        "clinical", meet=False, attachments=[str(attachment("clinical-notes.pdf"))]
    )

    outcome = await flow.process(session, request, RecordingJournal())

    assert outcome.portal_status == PortalStatus.PENDED
    assert outcome.uploaded == ["clinical-notes.pdf"]
    (recorded,) = portal.authorizations()
    assert recorded["attachments"] == ["clinical-notes.pdf"]


async def test_denied_when_not_covered(session: PortalSession, portal: PortalAdmin) -> None:
    outcome = await flow.process(session, make_request("not_covered"), RecordingJournal())

    assert outcome.state == "submitted"
    assert outcome.portal_status == PortalStatus.DENIED


async def test_review_is_pended_without_document_clinical(
    session: PortalSession, portal: PortalAdmin
) -> None:
    journal = RecordingJournal()
    outcome = await flow.process(session, make_request("review"), journal)

    assert outcome.portal_status == PortalStatus.PENDED
    assert "document_clinical" not in journal.steps, "no step shown for what was not needed"
    assert outcome.messages, "the disclaimers read before Submit are kept"


async def test_beyond_benefit_limits_is_partially_approved(
    session: PortalSession, portal: PortalAdmin
) -> None:
    code = procedure("limit")
    request = make_request("limit", units=code["rule"]["max_units"] + 4)

    outcome = await flow.process(session, request, RecordingJournal())

    assert outcome.portal_status == PortalStatus.PARTIALLY_APPROVED
    assert outcome.lines[0].authorized_units == code["rule"]["max_units"]


async def test_decision_later_is_no_decision_yet(
    session: PortalSession, portal: PortalAdmin
) -> None:
    outcome = await flow.process(session, make_request("decision_later"), RecordingJournal())

    assert outcome.portal_status == PortalStatus.NO_DECISION_YET


async def test_not_required_is_never_submitted(session: PortalSession, portal: PortalAdmin) -> None:
    journal = RecordingJournal()

    outcome = await flow.process(session, make_request("not_required"), journal)

    assert outcome.state == "not_required"
    assert outcome.reference_id is None
    assert journal.submits == 0
    assert portal.authorizations() == []


async def test_member_not_eligible(session: PortalSession, portal: PortalAdmin) -> None:
    request = make_request(who=member(eligible=False))

    with pytest.raises(MemberNotEligible):
        await flow.process(session, request, RecordingJournal())
    assert portal.authorizations() == []


async def test_unknown_provider(session: PortalSession, portal: PortalAdmin) -> None:
    with pytest.raises(ProviderNotFound):
        await flow.process(session, make_request(npi=unknown_npi()), RecordingJournal())


async def test_code_not_valid_for_category_is_refused(
    session: PortalSession, portal: PortalAdmin
) -> None:
    imaging = procedure("clinical")
    other = next(
        procedure("limit", index=i)
        for i in range(5)
        if procedure("limit", index=i)["category"] != imaging["category"]
    )
    request = make_request("clinical", procedures=[{"code": other["code"], "units": 1}])

    with pytest.raises(CodeRefused, match="not valid for category"):
        await flow.process(session, request, RecordingJournal())


async def test_unknown_procedure_code_is_refused(
    session: PortalSession, portal: PortalAdmin
) -> None:
    request = make_request(procedures=[{"code": "99999", "units": 1}])

    with pytest.raises(CodeRefused):
        await flow.process(session, request, RecordingJournal())


async def test_portal_validation_message_is_a_business_error(
    session: PortalSession, portal: PortalAdmin
) -> None:
    request = make_request("clinical", clinical={"answers": {}, "notes": ""})

    with pytest.raises(PortalValidationError, match="Answer every question"):
        await flow.process(session, request, RecordingJournal())
    assert portal.authorizations() == []


async def test_session_expired_mid_flow_logs_in_again(
    session: PortalSession, portal: PortalAdmin
) -> None:
    portal.configure(step_faults=[{"step": "details", "fault": "expire_session", "times": 1}])

    outcome = await flow.process(session, make_request("clinical"), RecordingJournal())

    assert outcome.portal_status == PortalStatus.APPROVED
    assert portal.stats()["logins_ok"] == 2
    assert len(portal.authorizations()) == 1


@pytest.mark.parametrize(
    "step", ["member_search", "setting", "details", "clinical", "summary", "results"]
)
async def test_one_503_is_sent_again_without_starting_over(
    session: PortalSession, portal: PortalAdmin, step: str
) -> None:
    portal.configure(step_faults=[{"step": step, "fault": "503", "times": 2}])
    journal = RecordingJournal()

    outcome = await flow.process(session, make_request("clinical"), journal)

    assert outcome.portal_status == PortalStatus.APPROVED
    assert portal.stats()["faults_injected"] == 2
    assert journal.steps.count("member_search") == 1, "the request was not started over"
    assert len(portal.authorizations()) == 1


@pytest.mark.parametrize(
    "step", ["setting", "details", "summary", "clinical", "submit", "results", "upload"]
)
async def test_session_expiry_at_any_step_ends_submitted_once_with_attachments(
    session: PortalSession, portal: PortalAdmin, step: str
) -> None:
    request = make_request("clinical", meet=False, attachments=[str(attachment())])
    portal.configure(step_faults=[{"step": step, "fault": "expire_session", "times": 1}])

    outcome = await flow.process(session, request, RecordingJournal())

    assert portal.stats()["logins_ok"] == 2, "logged in again once"
    (recorded,) = portal.authorizations()
    assert recorded["reference_id"] == outcome.reference_id
    assert recorded["attachments"] == ["clinical-notes.pdf"]
    assert outcome.uploaded == ["clinical-notes.pdf"]


async def test_a_refused_attachment_leaves_the_request_submitted(
    session: PortalSession, portal: PortalAdmin
) -> None:
    # Intake refuses fake.pdf (its content is no PDF); the portal's own refusal must still leave
    # the request submitted, so the request is built past intake.
    files = [attachment("fake.pdf").resolve(), attachment().resolve()]
    request = make_request("clinical", meet=False).model_copy(update={"attachments": files})

    outcome = await flow.process(session, request, RecordingJournal())

    assert outcome.state == "submitted" and outcome.reference_id
    assert outcome.uploaded == ["clinical-notes.pdf"], "fake.pdf is still owed"
    (recorded,) = portal.authorizations()
    assert recorded["attachments"] == ["clinical-notes.pdf"]


async def test_a_503_on_submit_is_never_sent_again_blind(
    session: PortalSession, portal: PortalAdmin
) -> None:
    portal.configure(step_faults=[{"step": "submit", "fault": "503", "times": 1}])
    journal = RecordingJournal()

    outcome = await flow.process(session, make_request("clinical"), journal)

    assert journal.steps.count("reconcile") == 1, "the Status tab was searched first"
    assert journal.submits == 2 and not outcome.reconciled
    assert [a["reference_id"] for a in portal.authorizations()] == [outcome.reference_id]


async def test_maintenance_is_retried_then_raised(
    session: PortalSession, portal: PortalAdmin
) -> None:
    portal.configure(maintenance=True)

    with pytest.raises(PortalMaintenance):
        await flow.process(session, make_request("clinical"), RecordingJournal())


async def test_error_after_submit_is_reconciled_not_resubmitted(
    session: PortalSession, portal: PortalAdmin
) -> None:
    portal.configure(step_faults=[{"step": "submit", "fault": "500_after", "times": 1}])
    journal = RecordingJournal()

    outcome = await flow.process(session, make_request("clinical"), journal)

    assert outcome.reconciled
    recorded = portal.authorizations()
    assert [a["reference_id"] for a in recorded] == [outcome.reference_id]
    assert journal.submits == 1


async def test_totp_account(browser: Browser, settings: Settings, portal: PortalAdmin) -> None:
    totp = settings.model_copy(
        update={"username": "mfa-demo", "totp_secret": SecretStr("JBSWY3DPEHPK3PXP")}
    )
    live = await PortalSession.open(browser, totp)
    try:
        outcome = await flow.process(live, make_request("clinical"), RecordingJournal())
    finally:
        await live.close()

    assert outcome.portal_status == PortalStatus.APPROVED


async def test_medicaid_id_and_member_info_lookups(
    session: PortalSession, portal: PortalAdmin
) -> None:
    person = member()
    by_medicaid = make_request(member={"medicaid_id": person["medicaid_id"]})
    by_info = make_request(
        "review",
        member={
            "first_name": person["first_name"],
            "last_name": person["last_name"],
            "dob": person["dob"],
        },
    )

    first = await flow.process(session, by_medicaid, RecordingJournal())
    second = await flow.process(session, by_info, RecordingJournal())

    assert first.state == second.state == "submitted"
    assert {a["member_id"] for a in portal.authorizations()} == {person["caresource_id"]}


async def test_a_fresh_tab_every_few_requests_keeps_the_login(
    browser: Browser, settings: Settings, portal: PortalAdmin
) -> None:
    session = await PortalSession.open(browser, settings, requests_per_page=2)
    try:
        tabs = []
        for _ in range(3):
            outcome = await flow.process(session, make_request("not_required"), RecordingJournal())
            assert outcome.state == "not_required"
            tabs.append(session.page)
        assert tabs[0] is tabs[1] and tabs[2] is not tabs[1]
        assert tabs[1].is_closed()
        assert session.context.pages == [tabs[2]]
        assert session.logins == 1
    finally:
        await session.close()
