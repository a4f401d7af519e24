"""A person at the mock portal, without a browser: fills forms the way the page would post them
(including the hidden code lists the page script keeps) and reads the screens."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import httpx

from mock_portal.rules import CATEGORY_CODES, code_for
from tests.portal.pages import Page

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
PASSWORD = "Demo!2345"
TOTP_SECRET = "JBSWY3DPEHPK3PXP"
MEMBER = "105634024"
IN_NETWORK_NPI = "1234567893"
OUT_OF_NETWORK_NPI = "1234567950"
UNKNOWN_NPI = "1987654328"
DOS = "12/01/2026"


@cache
def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def procedure(code: str) -> dict[str, Any]:
    found: dict[str, Any] = next(p for p in fixture("codes/procedures.json") if p["code"] == code)
    return found


def category_code(code: str) -> str:
    return code_for(CATEGORY_CODES, procedure(code)["category"])


def answers(category: str, *, meet: bool) -> dict[str, str]:
    """Form values (``q_<key>``) answering the category's questionnaire."""
    values = {}
    for question in fixture("questionnaires.json")[category]:
        criterion = question["criterion"]
        if question["type"] == "number":
            minimum = int(criterion["min"])
            values[f"q_{question['key']}"] = str(minimum if meet else max(minimum - 1, 0))
        else:
            wanted = criterion["equals"]
            values[f"q_{question['key']}"] = (
                wanted if meet else ("No" if wanted == "Yes" else "Yes")
            )
    return values


CONTACT = {
    "contact_name": "Pat Front-Desk",
    "contact_phone": "(614) 555-0100",
    "contact_ext": "",
    "contact_fax": "614-555-0101",
    "contact_email": "",
}


class PortalClient:
    """Wraps a TestClient (or an ``httpx.Client`` of a real server, following redirects as the
    TestClient does); every call returns the parsed ``Page`` it lands on."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http
        self.page: Page | None = None
        self.draft_base = ""

    # plumbing ---------------------------------------------------------------------------------

    def get(self, url: str, **kwargs: Any) -> Page:
        self.page = Page(self.http.get(url, **kwargs))
        return self.page

    def post(self, url: str, data: dict[str, Any], *, csrf: bool = True, **kwargs: Any) -> Page:
        if csrf and "csrf_token" not in data:
            assert self.page is not None, "no page to take the CSRF token from"
            data = {"csrf_token": self.page.csrf, **data}
        self.page = Page(self.http.post(url, data=data, **kwargs))
        return self.page

    @property
    def csrf(self) -> str:
        assert self.page is not None
        return self.page.csrf

    # screens ----------------------------------------------------------------------------------

    def login(self, username: str = "demo", password: str = PASSWORD, next_path: str = "") -> Page:
        form = self.get(f"/login?next={next_path}" if next_path else "/login")
        return self.post(
            "/login",
            {
                "csrf_token": form.csrf,
                "username": username,
                "password": password,
                "next": form.value("next"),
            },
        )

    def search(
        self, member: str = MEMBER, dos: str = DOS, kind: str = "caresource", **fields: str
    ) -> Page:
        page = self.get("/prior-auth")
        data = {"request_type": "medical", "search_by": kind, "dos": dos, **fields}
        if kind == "caresource":
            data.setdefault("caresource_id", member)
        data["csrf_token"] = page.csrf
        result = self.post("/prior-auth/member-search", data)
        if result.path.endswith("/setting"):
            self.draft_base = result.path.rsplit("/", 1)[0]
        return result

    def choose(
        self, category: str = "IMG", npi: str = IN_NETWORK_NPI, setting: str = "Outpatient"
    ) -> Page:
        return self.post(
            f"{self.draft_base}/setting",
            {
                "care_setting": setting,
                "category": category,
                "provider_search": npi,
                "provider_id": npi,
            },
        )

    def details(
        self,
        procedures: list[tuple[str, int]],
        *,
        diagnoses: tuple[str, ...] = ("M54.50",),
        **overrides: str,
    ) -> Page:
        data: dict[str, Any] = {
            "start_date": DOS,
            "end_date": DOS,
            "treatment_type": "DIAG",
            "place_of_service": "11",
            "dx_entry": "",
            "proc_entry": "",
            "proc_units": "",
            **CONTACT,
            "dx": list(diagnoses),
            "proc": [f"{code}:{units}" for code, units in procedures],
            "continue": "1",
        }
        data.update(overrides)
        return self.post(f"{self.draft_base}/details", data)

    def clinical(self, code: str, values: dict[str, str], notes: str = "Notes.") -> Page:
        self.get(f"{self.draft_base}/clinical/{code}")
        return self.post(f"{self.draft_base}/clinical/{code}", {**values, "notes": notes})

    def submit(self) -> Page:
        self.get(f"{self.draft_base}/summary")
        return self.post(f"{self.draft_base}/submit", {})

    def prepare(
        self,
        code: str,
        units: int = 1,
        *,
        meet: bool | None = True,
        member: str = MEMBER,
    ) -> Page:
        """Member search, setting and details for one procedure; Document Clinical when the
        code asks for it and ``meet`` is not None. Returns the summary."""
        assert self.search(member).path.endswith("/setting"), self.page and self.page.alerts
        assert self.choose(category_code(code)).path.endswith("/details")
        summary = self.details([(code, units)])
        assert summary.path.endswith("/summary"), summary.alerts
        if meet is not None and "REVIEW REQUIRED" in summary.text:
            category = procedure(code)["category"]
            summary = self.clinical(code, answers(category, meet=meet))
        return summary

    def request(self, code: str, units: int = 1, *, meet: bool = True) -> Page:
        """A whole request for one procedure, through to the results page."""
        self.prepare(code, units, meet=meet)
        results = self.submit()
        assert results.path.startswith("/prior-auth/results/"), results.text[:500]
        return results
