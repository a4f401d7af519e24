"""Garbage in every field of every form, and garbage bodies: the portal refuses, re-renders or
answers 4xx, never 500 (the TestClient re-raises any server exception, failing the test)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.portal.client import PortalClient
from tests.portal.pages import Page

FORMS: dict[str, list[str]] = {
    "/prior-auth/member-search": [
        "request_type",
        "search_by",
        "caresource_id",
        "medicaid_id",
        "first_name",
        "last_name",
        "dob",
        "dos",
    ],
    "{draft}/setting": ["care_setting", "category", "provider_search", "provider_id"],
    "{draft}/details": [
        "start_date",
        "end_date",
        "treatment_type",
        "place_of_service",
        "dx_entry",
        "proc_entry",
        "proc_units",
        "contact_name",
        "contact_phone",
        "contact_ext",
        "contact_fax",
        "contact_email",
        "dx",
        "proc",
        "add_dx",
        "add_proc",
        "continue",
        "remove_dx:M54.50",
    ],
    "{draft}/clinical/72148": ["q_conservative_therapy", "q_red_flags", "notes"],
    "{draft}/submit": ["anything"],
    "/prior-auth/status": [
        "search_by",
        "caresource_id",
        "from_date",
        "to_date",
        "reference_number",
    ],
    "/prior-auth/results/{reference}/upload": ["attachment"],
}

values = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="0123456789/.-:", max_size=12),
    st.sampled_from(
        [
            "",
            " ",
            "Yes",
            "No",
            "IMG",
            "DIAG",
            "11",
            "M54.50",
            "72148:1",
            "72148:0",
            "99999:5",
            "12/01/2026",
            "02/30/2026",
            "00/00/0000",
            "Outpatient",
            "1234567893",
            "1234567950",
            "caresource",
            "medicaid",
            "info",
            "member",
            "reference",
            "006567083",
            "x" * 3000,
            "\x00",
            "<script>",
            "%00",
            "../..",
        ]
    ),
)

relaxed = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def ready(user: PortalClient) -> tuple[PortalClient, dict[str, str]]:
    reference = user.request("64483").reference_id()
    user.prepare("72148", meet=None)
    paths = {form: form.format(draft=user.draft_base, reference=reference) for form in FORMS}
    return user, paths


def post(client: PortalClient, path: str, data: dict[str, Any]) -> int:
    token = Page(client.http.get("/prior-auth")).csrf
    response = client.http.post(path, data={"csrf_token": token, **data})
    assert response.status_code < 500, (path, data, response.status_code)
    return int(response.status_code)


@pytest.mark.parametrize("form", list(FORMS))
@relaxed
@given(data=st.data())
def test_garbage_in_every_field(
    ready: tuple[PortalClient, dict[str, str]], form: str, data: st.DataObject
) -> None:
    client, paths = ready
    fields = {name: data.draw(values, label=name) for name in FORMS[form]}
    extra = data.draw(st.dictionaries(st.text(min_size=1, max_size=10), values, max_size=3))
    post(client, paths[form], {**extra, **fields})


@relaxed
@given(
    name=st.text(max_size=60),
    content=st.binary(max_size=2048),
    kind=st.sampled_from(["application/pdf", "text/plain", "", "application/octet-stream"]),
)
def test_garbage_uploads(
    ready: tuple[PortalClient, dict[str, str]], name: str, content: bytes, kind: str
) -> None:
    client, paths = ready
    token = Page(client.http.get("/prior-auth")).csrf
    response = client.http.post(
        paths["/prior-auth/results/{reference}/upload"],
        data={"csrf_token": token},
        files={"attachment": (name, content, kind or None)},
    )
    assert response.status_code < 500


@relaxed
@given(
    body=st.binary(max_size=512),
    content_type=st.sampled_from(
        [
            "multipart/form-data; boundary=xyz",
            "multipart/form-data",
            "application/x-www-form-urlencoded",
            "application/json",
            "text/plain",
            "",
        ]
    ),
)
def test_garbage_bodies(
    ready: tuple[PortalClient, dict[str, str]], body: bytes, content_type: str
) -> None:
    client, paths = ready
    for path in [*paths.values(), "/login", "/login/verify"]:
        headers = {"content-type": content_type} if content_type else {}
        response = client.http.post(path, content=body, headers=headers)
        assert response.status_code < 500, (path, response.status_code)


@relaxed
@given(segment=st.text(min_size=1, max_size=30).filter(lambda s: s not in (".", "..")))
def test_garbage_in_the_url(user: PortalClient, segment: str) -> None:
    segment = quote(segment, safe="")
    for path in (
        f"/prior-auth/requests/{segment}/setting",
        f"/prior-auth/results/{segment}",
        f"/prior-auth/status/{segment}",
        f"/prior-auth/requests/x/clinical/{segment}",
        f"/api/icd10/{segment}",
        f"/api/procedures/{segment}",
        f"/coming-soon/{segment}",
    ):
        response = user.http.get(path)
        assert response.status_code < 500, path


def test_admin_garbage(user: PortalClient) -> None:
    for body in (b"", b"null", b"[]", b'{"status": null}', b"\xff\xfe"):
        assert user.http.post("/_mock/authorizations/x/decision", content=body).status_code < 500
        assert user.http.put("/_mock/config", content=body).status_code == 422 or body == b""
