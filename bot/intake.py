"""Read request files (JSON, JSON Lines, CSV) into validated ``AuthRequest``s.

Every record read ends as exactly one :class:`Accepted` or :class:`Rejected`; a file that cannot
be read or parsed at all gives one ``Rejected`` for the whole file. Nothing here raises for bad
input, and no message repeats what the record contained: messages are built from the field path
and pydantic's message only (``str(ValidationError)`` would include ``input_value=…``, i.e. PHI),
and any member identifier that still slips into one (a file name, say) is redacted.

The formats are described for staff in docs/REQUESTS.md.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot import log
from bot.models import AuthRequest

Context = dict[str, Any]
"""The validation context of a file's requests: ``base_dir`` and ``private_dirs``."""


@dataclass
class Accepted:
    """A record that passed validation."""

    request: AuthRequest
    source: str
    raw: str


@dataclass
class Rejected:
    """A record (or a whole file) that did not; ``errors`` are ``"field.path: message"``."""

    source: str
    raw: str
    errors: list[str]


Entry = Accepted | Rejected
PathOf = Callable[[tuple[Any, ...]], str]

# fmt: off
CSV_COLUMNS = (
    "id", "caresource_id", "medicaid_id", "first_name", "last_name", "dob", "provider_npi",
    "care_setting", "category", "start_date", "end_date", "treatment_type", "place_of_service",
    "diagnosis_codes", "procedures", "clinical_answers", "clinical_notes", "attachments",
    "contact_name", "contact_phone", "contact_extension", "contact_fax", "contact_email", "urgency",
)
"""The columns of a CSV request file, in the documented order (docs/REQUESTS.md)."""
_MEMBER_COLUMNS = ("caresource_id", "medicaid_id", "first_name", "last_name", "dob")
_PLAIN_COLUMNS = (
    "id", "provider_npi", "care_setting", "category", "start_date", "end_date", "treatment_type",
    "place_of_service", "urgency",
)
# fmt: on
_NO_HEADER = "file: the first row must name the columns (see docs/REQUESTS.md)"
_NOT_A_COLUMN = "its header is not a known column name"
_LIST_SEPARATOR = ";"
_ANSWER_SEPARATOR = "|"
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_UNITS = re.compile(r"^(.+?)\s*[xX]\s*(\d+)$")
_VALUE_ERROR = re.compile(r"^(Value error|Assertion failed), ")
_JSONL_SUFFIXES = (".jsonl", ".ndjson")
_UNION_TAGS = frozenset(
    {"str", "constrained-str", "int", "constrained-int", "float", "bool", "none"}
)
_TAG = re.compile(r"^[a-z-]+\[.*\]$")


def read_requests(
    path: Path, *, private_dirs: Sequence[Path] = (), uploaded: Path | None = None
) -> list[Entry]:
    """Every record of ``path``, validated; the format is chosen by extension, else by content.

    Attachments are resolved relative to the file's folder; none may lie in ``private_dirs``
    (the bot's artifacts, its saved logins). With ``uploaded`` (the console's upload), each is
    the file of that folder with its name instead, whatever folders the record names.
    """
    source = str(path)
    context: Context = {"base_dir": path.parent, "private_dirs": list(private_dirs)}
    if uploaded is not None:
        context["uploaded"] = uploaded
    try:
        text = _decode(path.read_bytes())
    except OSError as exc:
        return [
            Rejected(source, "", [f"file: cannot be read ({exc.strerror or type(exc).__name__})"])
        ]
    except UnicodeDecodeError:
        return [Rejected(source, "", ["file: not UTF-8 text"])]
    suffix = path.suffix.lower()
    if suffix in _JSONL_SUFFIXES:
        return _one_request_per_id(_read_jsonl(text, source, context))
    if suffix == ".json":
        return _one_request_per_id(_read_json(text, source, context))
    if suffix == ".csv":
        return _one_request_per_id(_read_csv(text, source, context))
    return _one_request_per_id(_read_sniffed(text, source, context))


def _one_request_per_id(entries: list[Entry]) -> list[Entry]:
    """A request id used again in the same file for a different request is a conflict, not a
    duplicate: the later ones are refused, naming where the id was first used. The same request
    twice stays a duplicate (the queue keeps one)."""
    first: dict[str, Accepted] = {}
    result: list[Entry] = []
    for entry in entries:
        if isinstance(entry, Accepted) and entry.request.id:
            earlier = first.setdefault(entry.request.id, entry)
            if earlier.request != entry.request:
                message = f"id: already used in this file for another request ({earlier.source})"
                result.append(Rejected(entry.source, entry.raw, [message]))
                continue
        result.append(entry)
    return result


def format_errors(exc: ValidationError) -> list[str]:
    """``"field.path: message"`` for each error, built from ``loc`` and ``msg`` only.

    Pydantic's ``str(exc)`` shows each ``input_value``, which may be a name or a date of birth.
    The failures of a union's members (``str | int``) are merged into one message.
    """
    return [f"{path}: {message}" for path, message in _errors(exc, _json_path)]


def request_schema() -> dict[str, Any]:
    """The JSON Schema of one request (what ``pa-bot schema`` prints)."""
    schema = AuthRequest.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


# --- formats ----------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    """UTF-8 (a byte-order mark from Excel is dropped), with every line ending made ``\\n``."""
    text = data.decode("utf-8-sig")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_record(data: Any, source: str, *, base_dir: Path, private_dirs: Sequence[Path]) -> Entry:
    """One request already parsed (a JSON body), validated as a file's record is."""
    context: Context = {"base_dir": base_dir, "private_dirs": list(private_dirs)}
    return _validate(data, source, context)


def read_cells(cells: Mapping[str, str], source: str, *, uploaded: Path) -> Entry:
    """One request from named cells, as a CSV row names them (the console's form): the same
    cell formats, the same validation, errors named by cell. Attachments are files of
    ``uploaded``, by name."""
    context: Context = {"base_dir": uploaded, "private_dirs": [], "uploaded": uploaded}
    problems: list[str] = []
    given = {name: value.strip() for name, value in cells.items() if value.strip()}
    unknown = sorted(set(given) - set(CSV_COLUMNS))
    problems.extend(f"{name}: {_NOT_A_COLUMN}" for name in unknown)
    record = _record_from_cells({k: v for k, v in given.items() if k in CSV_COLUMNS}, problems)
    return _validate(record, source, context, extra=problems, csv_paths=True)


def _read_sniffed(text: str, source: str, context: Context) -> list[Entry]:
    """No known extension: JSON if it starts like JSON (JSON Lines if it has several values)."""
    if not text.lstrip().startswith(("{", "[")):
        return _read_csv(text, source, context)
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":
            return _read_jsonl(text, source, context)
    except (ValueError, RecursionError):
        pass
    return _read_json(text, source, context)


def _read_json(text: str, source: str, context: Context) -> list[Entry]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return [Rejected(source, _clip(text), [f"file: not valid JSON ({_json_problem(exc)})"])]
    if isinstance(data, list):
        return [_validate(item, f"{source}[{index}]", context) for index, item in enumerate(data)]
    if isinstance(data, dict):
        return [_validate(data, source, context)]
    return [Rejected(source, _clip(text), ["file: expected a JSON object or an array of objects"])]


def _read_jsonl(text: str, source: str, context: Context) -> list[Entry]:
    entries: list[Entry] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{source}:line {number}"
        try:
            data = json.loads(line)
        except (ValueError, RecursionError) as exc:
            entries.append(Rejected(where, line, [f"line: not valid JSON ({_json_problem(exc)})"]))
            continue
        entries.append(_validate(data, where, context, raw=line))
    return entries


def _read_csv(text: str, source: str, context: Context) -> list[Entry]:
    """One request per row under a header row of :data:`CSV_COLUMNS` names; blank rows skipped."""
    lines = text.split("\n")
    reader = csv.reader(io.StringIO(text))
    entries: list[Entry] = []
    columns: list[str] | None = None
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raw = "\n".join(lines[start - 1 : reader.line_num])
            where = f"{source}:line {start}"
            entries.append(Rejected(where, raw, [f"file: not valid CSV from here on ({exc})"]))
            break
        if columns is None:
            columns = [re.sub(r"[\s-]+", "_", cell.strip().lower()) for cell in row]
            if not set(columns) & set(CSV_COLUMNS):
                return [Rejected(source, lines[0], [_NO_HEADER])]
            continue
        if not any(cell.strip() for cell in row):
            continue
        problems: list[str] = []
        cells: dict[str, str] = {}
        for position, cell in enumerate(row, start=1):
            name = columns[position - 1] if position <= len(columns) else ""
            if not cell.strip():
                continue
            if name in CSV_COLUMNS:
                cells[name] = cell.strip()
            else:  # a value under no known column would be lost: refuse the row instead
                problems.append(f"column {position}: has a value but {_NOT_A_COLUMN}")
        record = _record_from_cells(cells, problems)
        raw = "\n".join(lines[start - 1 : reader.line_num])
        where = f"{source}:line {start}"
        entries.append(_validate(record, where, context, raw=raw, extra=problems, csv_paths=True))
    if columns is None:
        return [Rejected(source, "", [_NO_HEADER])]
    return entries


def _record_from_cells(cells: dict[str, str], problems: list[str]) -> dict[str, Any]:
    """The nested request a CSV row stands for; cell-format problems are added to ``problems``."""
    for name in ("dob", "start_date", "end_date"):
        if name in cells:
            cells[name] = iso_date(cells[name])
    record: dict[str, Any] = {name: cells[name] for name in _PLAIN_COLUMNS if name in cells}
    record["member"] = {name: cells[name] for name in _MEMBER_COLUMNS if name in cells}
    record["contact"] = {
        name.removeprefix("contact_"): value
        for name, value in cells.items()
        if name.startswith("contact_")
    }
    for name in ("diagnosis_codes", "attachments"):
        if name in cells:
            record[name] = _split(cells[name], _LIST_SEPARATOR)
    if "procedures" in cells:
        record["procedures"] = [_procedure(p) for p in _split(cells["procedures"], _LIST_SEPARATOR)]
    clinical: dict[str, Any] = {}
    if "clinical_answers" in cells:
        clinical["answers"] = _answers(cells["clinical_answers"], problems)
    if "clinical_notes" in cells:
        clinical["notes"] = cells["clinical_notes"]
    if clinical:
        record["clinical"] = clinical
    return record


def _split(cell: str, separator: str) -> list[str]:
    return [part.strip() for part in cell.split(separator) if part.strip()]


def _procedure(item: str) -> dict[str, Any]:
    """``97110x12`` → code 97110, 12 units; a bare code means one unit."""
    match = _UNITS.match(item)
    if match is None:
        return {"code": item}
    return {"code": match.group(1), "units": int(match.group(2))}


def _answers(cell: str, problems: list[str]) -> dict[str, str | int]:
    """``question=answer|question=answer``; an answer of digits only is a number."""
    answers: dict[str, str | int] = {}
    for position, part in enumerate(_split(cell, _ANSWER_SEPARATOR), start=1):
        question, sep, answer = part.rpartition("=")
        if not sep or not question.strip() or not answer.strip():
            problems.append(f"clinical_answers: part {position} is not question=answer")
            continue
        value = answer.strip()
        answers[question.strip()] = int(value) if value.isascii() and value.isdigit() else value
    return answers


def iso_date(cell: str) -> str:
    """Spreadsheets write dates as M/D/YYYY; the model reads ISO dates."""
    match = _US_DATE.match(cell)
    if match is None:
        return cell
    month, day, year = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


# --- validation -------------------------------------------------------------------------------


def _validate(
    data: Any,
    source: str,
    context: Context,
    *,
    raw: str | None = None,
    extra: list[str] | None = None,
    csv_paths: bool = False,
) -> Entry:
    """One record → ``Accepted`` or ``Rejected`` with all its errors; never raises."""
    text = raw if raw is not None else _dump(data)
    if not isinstance(data, dict):
        return Rejected(source, text, [f"request: expected a JSON object, not {_kind(data)}"])
    messages = list(extra or [])
    request: AuthRequest | None = None
    try:
        request = AuthRequest.model_validate(data, context=context)
    except ValidationError as exc:
        path_of = _csv_path if csv_paths else _json_path
        messages.extend(f"{path}: {message}" for path, message in _errors(exc, path_of))
    except Exception as exc:  # a validator tripped on something odd (an OSError on a path…)
        messages.append(f"request: could not be validated ({type(exc).__name__})")
    if request is not None and not messages:
        return Accepted(request, source, text)
    with log.protected(*_identifiers(data)):
        return Rejected(source, text, [log.redact(message) for message in messages])


def _errors(exc: ValidationError, path_of: PathOf) -> list[tuple[str, str]]:
    """(path, message) pairs from ``loc`` and ``msg``, never ``input``.

    When a value fails every member of a union (``str | int``), pydantic reports one error per
    member with the member's tag appended to ``loc``; those become one message at the value.
    """
    errors = [
        (tuple(error["loc"]), _VALUE_ERROR.sub("", error["msg"]))
        for error in exc.errors(include_url=False, include_input=False, include_context=False)
    ]
    members: dict[tuple[Any, ...], list[str]] = {}
    for loc, message in errors:
        if loc and _is_union_tag(loc[-1]):
            members.setdefault(loc[:-1], []).append(message)
    pairs: list[tuple[str, str]] = []
    for loc, message in errors:
        if loc and _is_union_tag(loc[-1]):
            grouped = members.pop(loc[:-1], None)
            if grouped is None:
                continue
            first, *rest = grouped
            text = " or ".join([first, *(m.removeprefix("Input should be ") for m in rest)])
            pairs.append((path_of(loc[:-1]), text))
        else:
            pairs.append((path_of(loc), message))
    return pairs


def _is_union_tag(part: Any) -> bool:
    """Pydantic's tag for a union member (``str``, ``constrained-str``, ``list[str]``…); no field
    of a request is named like one."""
    return isinstance(part, str) and (part in _UNION_TAGS or bool(_TAG.match(part)))


def _json_path(loc: tuple[Any, ...]) -> str:
    """``('procedures', 0, 'units')`` → ``procedures[0].units``; the record itself → ``request``."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "request"


def _csv_path(loc: tuple[Any, ...]) -> str:
    """The same path, named by CSV column: ``member.dob`` → ``dob``, ``contact.phone`` →
    ``contact_phone``, ``clinical.answers`` → ``clinical_answers``."""
    if len(loc) >= 2 and loc[0] == "member":
        return _json_path(loc[1:])
    if len(loc) >= 2 and loc[0] in ("contact", "clinical") and isinstance(loc[1], str):
        return _json_path((f"{loc[0]}_{loc[1]}", *loc[2:]))
    return _json_path(loc)


def _identifiers(data: dict[str, Any]) -> list[str]:
    """The member's identifiers as the record wrote them, to keep them out of any message."""
    member = data.get("member")
    if not isinstance(member, dict):
        return []
    values = [
        str(member[key])
        for key in ("caresource_id", "medicaid_id", "first_name", "last_name", "dob")
        if isinstance(member.get(key), str | int) and not isinstance(member.get(key), bool)
    ]
    dob = member.get("dob")
    if isinstance(dob, str):
        with contextlib.suppress(ValueError):
            values.extend(log.date_forms(date.fromisoformat(dob)))
    return values


def _json_problem(exc: BaseException) -> str:
    """Where the JSON breaks, e.g. ``Expecting ',' delimiter at line 3 column 5``; no content."""
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    return type(exc).__name__


def _dump(data: Any) -> str:
    try:
        return json.dumps(data, ensure_ascii=False, default=str)
    except (ValueError, RecursionError):
        return ""


def _clip(text: str, limit: int = 10_000) -> str:
    return text if len(text) <= limit else text[:limit]


def _kind(data: Any) -> str:
    return {list: "an array", str: "a string", bool: "true/false", type(None): "null"}.get(
        type(data), "a number"
    )
