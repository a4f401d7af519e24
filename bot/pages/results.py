"""Screen 8: the results of a submission (also the Status tab's detail page), with uploads."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from bot.errors import PortalValidationError
from bot.pages.base import PortalPage, translate_errors
from bot.pages.types import ResultLine, Results

_REFERENCE = re.compile(r"Reference #:\s*(\d{9})")
_STATUS = re.compile(r"Status\s*:\s*(Approved|Pended|Denied|NoDecisionYet|Partially Approved)")
_AUTHORIZATION = re.compile(r"EPS-\d{8}")
_REASON = re.compile(r"Reason Code\s*:\s*(?P<code>\S+)\s+Reason\s*:\s*(?P<text>[^\n]+)")
_HEADERS = (
    "Line Number",
    "Procedure",
    "From Date",
    "To Date",
    "Requested Units",
    "Authorized Units",
    "Status",
    "Reason Code",
    "Reason",
)
_REASON_COLUMNS = ("Reason Code", "Reason")


class ResultsPage(PortalPage):
    """Read the reference id, status and lines; upload attachments."""

    screen = "Results"

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.reference = page.get_by_text(_REFERENCE)
        self.main = page.get_by_role("main")
        self.lines = page.get_by_role("table", name="Authorization Lines")
        self.uploads = page.get_by_role("region", name="Upload Attachments")
        self.attachment = self.uploads.get_by_label("Attachment", exact=True)
        self.upload_button = self.uploads.get_by_role("button", name="Upload", exact=True)
        self.uploaded = page.get_by_role("list", name="Files Uploaded").get_by_role("listitem")

    async def save_proof(self, folder: Path) -> Path:
        """The page as the practice's proof of submission: a PDF, printable and searchable.

        Only a headless Chromium prints to PDF; a headed one (``--headed``, or a remote browser
        with a window) gets a full-page screenshot instead. No screenshot beside the PDF: it cost
        five times as much (~100 ms against ~20 ms a request, docs/BENCHMARKS.md).
        """
        with translate_errors():
            try:
                await self.page.pdf(path=str(folder / "proof.pdf"), print_background=True)
                return folder / "proof.pdf"
            except PlaywrightError:
                await self.page.screenshot(path=str(folder / "proof.png"), full_page=True)
                return folder / "proof.png"

    async def read(self) -> Results:
        """Everything the screen says about the authorization."""
        with translate_errors():
            await self.reference.first.wait_for(state="visible")
            text = await self.main.inner_text()
            reference = _REFERENCE.search(text)
            status = _STATUS.search(text)
            if not reference or not status:
                raise PortalValidationError("the results screen shows no reference id or status")
            authorization = _AUTHORIZATION.search(text)
            reason = _REASON.search(text)
            return Results(
                reference_id=reference.group(1),
                status=status.group(1),
                authorization_number=authorization.group(0) if authorization else None,
                lines=await self._lines(),
                uploaded=[name.strip() for name in await self.uploaded.all_inner_texts()],
                reason_code=reason["code"] if reason else None,
                reason=reason["text"].strip() if reason else None,
            )

    async def _lines(self) -> list[ResultLine]:
        headers = await self.lines.get_by_role("columnheader").all_inner_texts()
        header = [cell.strip() for cell in headers]
        index = {name: header.index(name) for name in _HEADERS if name in header}
        result = []
        for row in (await self.lines.get_by_role("row").all())[1:]:
            cells = [cell.strip() for cell in await row.get_by_role("cell").all_inner_texts()]
            if len(cells) < len(header):
                continue
            authorized = cells[index["Authorized Units"]]
            said = {n: cells[index[n]] or None if n in index else None for n in _REASON_COLUMNS}
            result.append(
                ResultLine(
                    procedure=cells[index["Procedure"]],
                    from_date=cells[index["From Date"]],
                    to_date=cells[index["To Date"]],
                    requested_units=int(cells[index["Requested Units"]]),
                    authorized_units=int(authorized) if authorized.isdigit() else None,
                    status=cells[index["Status"]],
                    reason_code=said["Reason Code"],
                    reason=said["Reason"],
                )
            )
        return result

    async def upload(self, path: Path) -> None:
        """Upload one file and wait until the portal lists it; a refusal is a business error,
        a "try again" uploads it again (bounded)."""
        await self.post_until(
            lambda: self._send(path),
            self.uploaded.filter(has_text=path.name),
            "upload refused",
            refused={},
        )

    async def _send(self, path: Path) -> None:
        with translate_errors():
            await self.attachment.set_input_files(path)
        async with self.navigation():
            await self.upload_button.click()
