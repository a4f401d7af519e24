"""Parsing and checking what users type and upload, with the portal's own messages."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import PurePath

DATE_FORMAT = "%m/%d/%Y"
_DATE = re.compile(r"^\d{2}/\d{2}/\d{4}$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_PHONE_PUNCTUATION = re.compile(r"[\s().+-]")

BAD_DATE = "Enter a date as MM/DD/YYYY."
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
ACCEPTED_EXTENSIONS = (".doc", ".docx", ".xls", ".xlsx", ".pdf", ".txt", ".tif", ".tiff")
NO_FILE = "Choose a file to upload."
BAD_TYPE = "File type not accepted: Word, Excel, PDF, Notepad or TIFF only."
TOO_LARGE = "File is larger than 10 MB."
BAD_CONTENT = "File content does not match its type."


def us(value: date | None) -> str:
    """``2026-12-01`` → ``12/01/2026``; None → empty."""
    return value.strftime(DATE_FORMAT) if value else ""


def parse_us(text: str) -> date | None:
    """A strict ``MM/DD/YYYY`` date between 1900 and 2099, else None."""
    text = text.strip()
    if not _DATE.match(text):
        return None
    try:
        value = datetime.strptime(text, DATE_FORMAT).date()
    except ValueError:
        return None
    return value if 1900 <= value.year <= 2099 else None


def phone_digits(text: str) -> str | None:
    """Ten digits, allowing the usual punctuation: ``(614) 555-0100`` → ``6145550100``."""
    digits = _PHONE_PUNCTUATION.sub("", text)
    return digits if re.fullmatch(r"\d{10}", digits) else None


def email_ok(text: str) -> bool:
    return len(text) <= 254 and bool(_EMAIL.match(text))


def whole_number(text: str, minimum: int, maximum: int) -> int | None:
    text = text.strip()
    if not re.fullmatch(r"\d{1,6}", text):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def clean_filename(name: str) -> str:
    """The file's own name, without any folder a browser may send."""
    base = PurePath(name.replace("\\", "/")).name.strip()
    return "".join(ch for ch in base if ch.isprintable())[:200]


def _text_ok(content: bytes) -> bool:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(ord(ch) < 32 and ch not in "\t\r\n\f" for ch in text)


def _content_matches(extension: str, content: bytes) -> bool:
    if not content:
        return False
    if extension == ".pdf":
        return content.startswith(b"%PDF-")
    if extension in (".tif", ".tiff"):
        return content.startswith((b"II*\x00", b"MM\x00*"))
    if extension in (".docx", ".xlsx"):
        return content.startswith(b"PK\x03\x04")
    if extension in (".doc", ".xls"):
        return content.startswith(b"\xd0\xcf\x11\xe0")
    return _text_ok(content)


def check_upload(filename: str, content: bytes) -> str | None:
    """The message refusing an upload, or None when it is accepted."""
    if not filename:
        return NO_FILE
    extension = PurePath(filename).suffix.lower()
    if extension not in ACCEPTED_EXTENSIONS:
        return BAD_TYPE
    if len(content) > MAX_UPLOAD_BYTES:
        return TOO_LARGE
    if not _content_matches(extension, content):
        return BAD_CONTENT
    return None
