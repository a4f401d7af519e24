"""Screen 8: the results of a submission (also the Status tab's detail page), with uploads."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from bot.errors import PortalValidationError
from bot.pages.base import PortalPage, translate_errors
from bot.pages.types import ResultLine, Results

_REFERENCE = re.compile(r"Reference #:\s*(\d{9})")
_STATUS = re.compile(r"Status\s*:\s*(Approved|Pended|Denied|NoDecisionYet|Partially Approved)")
_AUTHORIZATION = re.compile(r"EPS-\d{8}")
_HEADERS = (
    "Line Number",
    "Procedure",
    "From Date",
    "To Date",
    "Requested Units",
    "Authorized Units",
    "Status",
)


class ResultsPage(PortalPage):
    """Read the reference id, status and lines; upload attachments."""

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.reference = page.get_by_text(_REFERENCE)
        self.main = page.get_by_role("main")
        self.lines = page.get_by_role("table", name="Authorization Lines")
        self.uploads = page.get_by_role("region", name="Upload Attachments")
        self.attachment = self.uploads.get_by_label("Attachment", exact=True)
        self.upload_button = self.uploads.get_by_role("button", name="Upload", exact=True)
        self.uploaded = page.get_by_role("list", name="Files Uploaded").get_by_role("listitem")

    def is_loaded(self) -> bool:
        return self.reference.first.is_visible()

    def save_proof(self, folder: Path) -> Path:
        """The page as the practice's proof of submission: a PDF, printable and searchable.

        Only a headless Chromium prints to PDF; a headed one (``--headed``, or a remote browser
        with a window) gets a full-page screenshot instead. No screenshot beside the PDF: it cost
        five times as much (~100 ms against ~20 ms a request, docs/BENCHMARKS.md).
        """
        with translate_errors():
            try:
                self.page.pdf(path=str(folder / "proof.pdf"), print_background=True)
                return folder / "proof.pdf"
            except PlaywrightError:
                self.page.screenshot(path=str(folder / "proof.png"), full_page=True)
                return folder / "proof.png"

    def read(self) -> Results:
        """Everything the screen says about the authorization."""
        with translate_errors():
            self.reference.first.wait_for(state="visible")
            text = self.main.inner_text()
            reference = _REFERENCE.search(text)
            status = _STATUS.search(text)
            if not reference or not status:
                raise PortalValidationError("the results screen shows no reference id or status")
            authorization = _AUTHORIZATION.search(text)
            return Results(
                reference_id=reference.group(1),
                status=status.group(1),
                authorization_number=authorization.group(0) if authorization else None,
                lines=self._lines(),
                uploaded=[name.strip() for name in self.uploaded.all_inner_texts()],
            )

    def _lines(self) -> list[ResultLine]:
        header = [cell.strip() for cell in self.lines.get_by_role("columnheader").all_inner_texts()]
        index = {name: header.index(name) for name in _HEADERS if name in header}
        result = []
        for row in self.lines.get_by_role("row").all()[1:]:
            cells = [cell.strip() for cell in row.get_by_role("cell").all_inner_texts()]
            if len(cells) < len(header):
                continue
            authorized = cells[index["Authorized Units"]]
            result.append(
                ResultLine(
                    procedure=cells[index["Procedure"]],
                    from_date=cells[index["From Date"]],
                    to_date=cells[index["To Date"]],
                    requested_units=int(cells[index["Requested Units"]]),
                    authorized_units=int(authorized) if authorized.isdigit() else None,
                    status=cells[index["Status"]],
                )
            )
        return result

    def upload(self, path: Path) -> None:
        """Upload one file and wait until the portal lists it; a refusal is a business error,
        a "try again" uploads it again (bounded)."""
        self.post_until(
            lambda: self._send(path),
            self.uploaded.filter(has_text=path.name),
            "upload refused",
            refused={},
        )

    def _send(self, path: Path) -> None:
        with translate_errors():
            self.attachment.set_input_files(path)
        with self.navigation():
            self.upload_button.click()
