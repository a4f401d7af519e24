"""Reading request files: every record ends Accepted or Rejected, with its source and all its
errors, and no error message repeats what the record held."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.intake import CSV_COLUMNS, Accepted, Rejected, format_errors, read_requests, request_schema
from bot.models import AuthRequest
from tests.unit.test_models import VALID_NPI, request_data

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SAMPLES = FIXTURES / "requests"
HEADER = ",".join(CSV_COLUMNS)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def accepted(entries: list[Accepted | Rejected]) -> list[Accepted]:
    return [entry for entry in entries if isinstance(entry, Accepted)]


def rejected(entries: list[Accepted | Rejected]) -> list[Rejected]:
    return [entry for entry in entries if isinstance(entry, Rejected)]


# --- JSON -------------------------------------------------------------------------------------


def test_a_json_file_with_one_object(tmp_path: Path) -> None:
    path = write(tmp_path, "one.json", json.dumps(request_data()))
    [entry] = read_requests(path)
    assert isinstance(entry, Accepted)
    assert entry.source == str(path)
    assert entry.request.key == "REQ-TEST-01"
    assert json.loads(entry.raw)["id"] == "REQ-TEST-01"


def test_a_json_array_with_one_bad_element_loses_no_good_one(tmp_path: Path) -> None:
    records = [
        request_data(id="A"),
        request_data(id="B", provider_npi="1234567890", diagnosis_codes=["Z99.999"]),
        request_data(id="C"),
    ]
    path = write(tmp_path, "many.json", json.dumps(records))
    entries = read_requests(path)
    assert [type(entry) for entry in entries] == [Accepted, Rejected, Accepted]
    assert [entry.request.key for entry in accepted(entries)] == ["A", "C"]
    [bad] = rejected(entries)
    assert bad.source == f"{path}[1]"
    assert bad.errors == [
        "provider_npi: must be a 10-digit NPI with a valid check digit",
        "diagnosis_codes: not billable ICD-10-CM codes: Z99.999",
    ]
    assert json.loads(bad.raw)["id"] == "B"


def test_an_array_element_that_is_not_an_object(tmp_path: Path) -> None:
    path = write(tmp_path, "mixed.json", json.dumps([request_data(), 42, "text"]))
    entries = read_requests(path)
    assert isinstance(entries[0], Accepted)
    assert [e.errors for e in rejected(entries)] == [
        ["request: expected a JSON object, not a number"],
        ["request: expected a JSON object, not a string"],
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"id": "A",', "file: not valid JSON (Expecting property name enclosed in double quotes"),
        ("id,member\n", "file: not valid JSON (Expecting value at line 1 column 1)"),
        ("", "file: not valid JSON (Expecting value at line 1 column 1)"),
        ('"just a string"', "file: expected a JSON object or an array of objects"),
    ],
)
def test_a_json_file_that_is_not_requests_gives_one_rejected(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, "bad.json", text)
    [entry] = read_requests(path)
    assert isinstance(entry, Rejected)
    assert entry.source == str(path)
    assert entry.errors[0].startswith(message)


def test_an_unreadable_file_gives_one_rejected(tmp_path: Path) -> None:
    [missing] = read_requests(tmp_path / "nope.json")
    assert isinstance(missing, Rejected)
    assert missing.errors == ["file: cannot be read (No such file or directory)"]
    (tmp_path / "latin1.json").write_bytes('{"name": "Jos\xe9"}'.encode("latin-1"))
    [latin] = read_requests(tmp_path / "latin1.json")
    assert isinstance(latin, Rejected)
    assert latin.errors == ["file: not UTF-8 text"]


def test_attachments_resolve_against_the_request_files_folder(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "mri-order.pdf").write_bytes(b"%PDF-1.4")
    path = write(folder, "one.json", json.dumps(request_data(attachments=["mri-order.pdf"])))
    [entry] = read_requests(path)
    assert isinstance(entry, Accepted)
    assert entry.request.attachments == [(folder / "mri-order.pdf").resolve()]


# --- JSON Lines -------------------------------------------------------------------------------


def test_json_lines_skip_blank_lines_and_report_each_bad_line(tmp_path: Path) -> None:
    lines = [
        json.dumps(request_data(id="A")),
        "",
        "{not json",
        "   ",
        json.dumps(request_data(id="B", end_date="2026-11-30")),
        json.dumps(request_data(id="C")),
    ]
    path = write(tmp_path, "queue.jsonl", "\n".join(lines) + "\n")
    entries = read_requests(path)
    assert [entry.source for entry in entries] == [
        f"{path}:line 1",
        f"{path}:line 3",
        f"{path}:line 5",
        f"{path}:line 6",
    ]
    assert [e.request.key for e in accepted(entries)] == ["A", "C"]
    broken, backwards = rejected(entries)
    assert broken.raw == "{not json"
    assert broken.errors == [
        "line: not valid JSON (Expecting property name enclosed in double quotes at line 1 "
        "column 2)"
    ]
    assert backwards.errors == ["request: end_date cannot be before start_date"]


def test_an_id_used_again_for_another_request_is_a_conflict_not_a_duplicate(
    tmp_path: Path,
) -> None:
    lines = [
        json.dumps(request_data(id="A")),
        json.dumps(request_data(id="A")),  # the same request again: a duplicate, queued once
        json.dumps(request_data(id="A", end_date="2026-12-15")),  # another request: a conflict
        json.dumps(request_data(id="B")),
    ]
    path = write(tmp_path, "day.jsonl", "\n".join(lines) + "\n")

    entries = read_requests(path)

    assert [e.source for e in accepted(entries)] == [
        f"{path}:line 1",
        f"{path}:line 2",
        f"{path}:line 4",
    ]
    (conflict,) = rejected(entries)
    assert conflict.source == f"{path}:line 3"
    assert conflict.errors == [f"id: already used in this file for another request ({path}:line 1)"]


def test_an_id_conflict_in_a_csv_names_the_first_row(tmp_path: Path) -> None:
    rows = csv_row(id="R-1") + csv_row(id="R-1", procedures="97110x6")
    path = write(tmp_path, "day.csv", HEADER + "\n" + rows)

    (first, conflict) = read_requests(path)

    assert isinstance(first, Accepted) and isinstance(conflict, Rejected)
    assert conflict.errors == [f"id: already used in this file for another request ({path}:line 2)"]


def test_windows_line_endings_and_a_byte_order_mark_are_read(tmp_path: Path) -> None:
    text = "\ufeff" + json.dumps(request_data(id="A")) + "\r\n" + json.dumps(request_data(id="B"))
    path = tmp_path / "crlf.jsonl"
    path.write_bytes(text.encode("utf-8"))
    assert [e.request.key for e in accepted(read_requests(path))] == ["A", "B"]


# --- CSV --------------------------------------------------------------------------------------


def csv_row(**cells: str) -> str:
    defaults = {
        "caresource_id": "100200300",
        "provider_npi": VALID_NPI,
        "category": "Physical Therapy",
        "start_date": "2026-12-01",
        "end_date": "2026-12-31",
        "treatment_type": "Rehabilitative",
        "place_of_service": "11",
        "diagnosis_codes": "M54.50;M54.16",
        "procedures": "97110x12;97140x4",
        "contact_name": "Pat Front-Desk",
        "contact_phone": "614-555-0100",
        "contact_fax": "614-555-0101",
    }
    values = {**defaults, **cells}
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([values.get(c, "") for c in CSV_COLUMNS])
    return out.getvalue()


def test_csv_rows_map_to_requests(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("notes")
    row = csv_row(
        id="R-1",
        clinical_answers="Weeks of conservative therapy=6|Functional deficit documented?=Yes",
        clinical_notes="Low back pain, 8 weeks.",
        attachments="notes.txt",
        contact_extension="204",
        contact_email="pa@clinic.example",
        urgency="expedited",
    )
    path = write(tmp_path, "batch.csv", HEADER + "\n" + row)
    [entry] = read_requests(path)
    assert isinstance(entry, Accepted), entry
    request = entry.request
    assert entry.source == f"{path}:line 2"
    assert entry.raw == row.rstrip("\n")
    assert request.diagnosis_codes == ["M54.50", "M54.16"]
    assert [(p.code, p.units) for p in request.procedures] == [("97110", 12), ("97140", 4)]
    assert request.clinical.answers == {
        "Weeks of conservative therapy": 6,
        "Functional deficit documented?": "Yes",
    }
    assert request.clinical.notes == "Low back pain, 8 weeks."
    assert request.attachments == [(tmp_path / "notes.txt").resolve()]
    assert (request.contact.phone, request.contact.extension) == ("6145550100", "204")
    assert request.urgency == "expedited"


def test_csv_reads_spreadsheet_dates_and_member_info(tmp_path: Path) -> None:
    row = csv_row(
        caresource_id="",
        first_name="Ann",
        last_name="Lee",
        dob="1/31/1980",
        start_date="12/01/2026",
        end_date="12/1/2026",
        procedures="97110",
    )
    [entry] = read_requests(write(tmp_path, "b.csv", HEADER + "\n" + row))
    assert isinstance(entry, Accepted), entry
    assert str(entry.request.member.dob) == "1980-01-31"
    assert str(entry.request.start_date) == str(entry.request.end_date) == "2026-12-01"
    assert entry.request.procedures[0].units == 1


def test_csv_errors_are_named_by_column_and_lines_count_quoted_newlines(tmp_path: Path) -> None:
    rows = [
        csv_row(id="R-1", clinical_notes="first line\nsecond line"),
        ",,,,,,,,\n",
        csv_row(
            id="R-2",
            caresource_id="",
            first_name="Ann",
            dob="1980-02-30",
            contact_phone="555-0100",
            procedures="97110x0",
            clinical_answers="no equals sign",
        ),
        csv_row(id="R-3"),
    ]
    path = write(tmp_path, "b.csv", HEADER + "\n" + "".join(rows))
    entries = read_requests(path)
    assert [entry.source for entry in entries] == [
        f"{path}:line 2",
        f"{path}:line 5",
        f"{path}:line 6",
    ]
    [bad] = rejected(entries)
    assert bad.errors == [
        "clinical_answers: part 1 is not question=answer",
        "dob: Input should be a valid date or datetime, day value is outside expected range",
        "procedures[0].units: Input should be greater than or equal to 1",
        "contact_phone: must be a 10-digit number",
    ]
    assert [e.request.key for e in accepted(entries)] == ["R-1", "R-3"]
    assert accepted(entries)[0].request.clinical.notes == "first line\nsecond line"


def test_csv_values_under_unknown_columns_refuse_the_row(tmp_path: Path) -> None:
    text = HEADER + ",remarks,\n" + csv_row(id="R-1").rstrip("\n") + ",,\n"
    text += csv_row(id="R-2").rstrip("\n") + ",call back,\n"
    text += csv_row(id="R-3").rstrip("\n") + ",,stray\n"
    entries = read_requests(write(tmp_path, "b.csv", text))
    assert isinstance(entries[0], Accepted)
    assert [e.errors for e in rejected(entries)] == [
        ["column 25: has a value but its header is not a known column name"],
        ["column 26: has a value but its header is not a known column name"],
    ]


@pytest.mark.parametrize("text", ["", "100200300,1234567893,Ann\n"])
def test_a_csv_without_a_header_gives_one_rejected(tmp_path: Path, text: str) -> None:
    [entry] = read_requests(write(tmp_path, "b.csv", text))
    assert isinstance(entry, Rejected)
    assert entry.errors == ["file: the first row must name the columns (see docs/REQUESTS.md)"]
    assert "Ann" not in " ".join(entry.errors)


def test_header_names_are_forgiving_about_case_and_spaces(tmp_path: Path) -> None:
    header = HEADER.replace("provider_npi", "Provider NPI").replace("dob", " DOB ")
    [entry] = read_requests(write(tmp_path, "b.csv", header + "\n" + csv_row()))
    assert isinstance(entry, Accepted)


# --- formats by content -----------------------------------------------------------------------


def test_files_without_a_known_extension_are_sniffed(tmp_path: Path) -> None:
    one = write(tmp_path, "one.txt", json.dumps(request_data(id="A")))
    lines = write(tmp_path, "lines.txt", "\n".join(json.dumps(request_data(id=i)) for i in "BC"))
    table = write(tmp_path, "table.txt", HEADER + "\n" + csv_row(id="D"))
    keys = [e.request.key for p in (one, lines, table) for e in accepted(read_requests(p))]
    assert keys == ["A", "B", "C", "D"]


# --- messages ---------------------------------------------------------------------------------


def test_no_error_message_repeats_the_members_details(tmp_path: Path) -> None:
    member = {"first_name": "Zebulon", "last_name": "Quixotic", "dob": "1961-07-04"}
    bad = request_data(
        member={**member, "middle": "Xavier"},
        provider_npi="1234567890",
        category="Quixotic",
        procedures=[{"code": "Zebulon"}],
        attachments=["Quixotic-mri-1961-07-04.pdf"],
        contact={"name": "Zebulon Quixotic", "phone": "Zebulon", "fax": "07/04/1961"},
    )
    too_long = request_data(member={"first_name": "Zebulon" * 10, "last_name": "Q", "dob": "x"})
    path = write(tmp_path, "phi.json", json.dumps([bad, too_long]))
    entries = read_requests(path)
    assert len(rejected(entries)) == 2
    text = json.dumps([e.errors for e in rejected(entries)])
    for value in ("Zebulon", "Quixotic", "1961", "07/04", "Xavier", "input_value"):
        assert value not in text
    assert "attachments: [REDACTED]-mri-[REDACTED].pdf: file not found" in text
    assert "member.middle: Extra inputs are not permitted" in text


def test_format_errors_uses_only_the_location_and_message() -> None:
    data = request_data(member={"first_name": "Zebulon", "last_name": "Q", "dob": "1961-07-44"})
    with pytest.raises(ValidationError) as caught:
        AuthRequest.model_validate(data)
    assert "1961-07-44" in str(caught.value)  # why pydantic's own text must never be shown
    assert format_errors(caught.value) == [
        "member.dob: Input should be a valid date or datetime, day value is outside expected range"
    ]


def test_a_union_failure_is_one_message() -> None:
    data = request_data(clinical={"answers": {"Weeks of therapy": [6]}})
    with pytest.raises(ValidationError) as caught:
        AuthRequest.model_validate(data)
    assert format_errors(caught.value) == [
        "clinical.answers.Weeks of therapy: Input should be a valid string or a valid integer"
    ]


def test_the_schema_describes_a_request() -> None:
    schema = request_schema()
    assert {"member", "provider_npi", "procedures", "contact"} <= set(schema["required"])
    assert schema["additionalProperties"] is False
    json.dumps(schema)


# --- never a crash, never a lost record -------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
FIELDS = [*request_data(), "clinical", "attachments", "care_setting", "urgency", "extra"]
records = st.builds(
    lambda base, changes: {**base, **changes},
    st.sampled_from([request_data(), {}, {"member": {"caresource_id": "100200300"}}]),
    st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), json_values, max_size=6),
)
cell_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
HYPOTHESIS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read_text_file(name: str, text: str) -> list[Accepted | Rejected]:
    with tempfile.TemporaryDirectory() as folder:
        return read_requests(write(Path(folder), name, text))


def check(entries: list[Accepted | Rejected], expected: int) -> None:
    assert len(entries) == expected
    for entry in entries:
        assert isinstance(entry, Accepted | Rejected)
        if isinstance(entry, Rejected):
            assert entry.errors
            assert all(": " in message for message in entry.errors)


@HYPOTHESIS
@given(json_values)
def test_any_json_value_yields_one_entry_per_record(value: Any) -> None:
    expected = len(value) if isinstance(value, list) else 1
    check(read_text_file("r.json", json.dumps(value)), expected)


@HYPOTHESIS
@given(st.lists(records, max_size=5))
def test_records_with_random_keys_and_types_never_crash(items: list[dict[str, Any]]) -> None:
    check(read_text_file("r.json", json.dumps(items)), len(items))
    check(read_text_file("r.jsonl", "\n".join(json.dumps(i) for i in items)), len(items))


@HYPOTHESIS
@given(st.lists(st.text(max_size=40).filter(lambda line: "\n" not in line), max_size=6))
def test_any_text_lines_in_json_lines_yield_one_entry_per_line(lines: list[str]) -> None:
    lines = [line.replace("\r", "") for line in lines]
    check(read_text_file("r.jsonl", "\n".join(lines)), sum(1 for line in lines if line.strip()))


@HYPOTHESIS
@given(
    st.lists(st.sampled_from([*CSV_COLUMNS, "remarks", ""]), min_size=1, max_size=8).filter(
        lambda header: any(name in CSV_COLUMNS for name in header)
    ),
    st.lists(st.lists(cell_text, max_size=9), max_size=6),
)
def test_random_csv_rows_yield_one_entry_per_non_blank_row(
    header: list[str], rows: list[list[str]]
) -> None:
    out = io.StringIO()
    writer = csv.writer(out)  # the default \r\n terminator quotes cells holding \r or \n
    writer.writerow(header)
    writer.writerows(rows)
    expected = sum(1 for row in rows if any(cell.strip() for cell in row))
    check(read_text_file("r.csv", out.getvalue()), expected)


@HYPOTHESIS
@given(st.text(st.characters(exclude_categories=["Cs"]), max_size=200))
@pytest.mark.parametrize("name", ["r.json", "r.jsonl", "r.csv", "r.txt"])
def test_any_text_in_any_format_never_crashes(name: str, text: str) -> None:
    for entry in read_text_file(name, text):
        assert isinstance(entry, Accepted | Rejected)


# --- the sample requests (fixtures/requests/) -------------------------------------------------

SAMPLE_FILES = sorted(
    p for p in SAMPLES.rglob("*") if p.suffix in {".json", ".jsonl", ".csv"} and p.is_file()
)
VALID_FILES = [p for p in SAMPLE_FILES if "invalid" not in p.relative_to(SAMPLES).parts]


@pytest.mark.parametrize("path", VALID_FILES, ids=lambda p: p.name)
def test_every_sample_request_file_is_valid(path: Path) -> None:
    entries = read_requests(path)
    assert entries
    assert not rejected(entries), [(e.source, e.errors) for e in rejected(entries)]


NAME = ("first_name", "last_name", "dob")


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def portal_outcome(request: AuthRequest) -> tuple[str, str]:
    """(queue state, portal status) the mock portal will give, per docs/FIXTURES.md's rules."""
    m, day = request.member, request.start_date.isoformat()
    who = {m.caresource_id, m.medicaid_id, f"{m.first_name}|{m.last_name}|{m.dob}".lower()}
    [person] = [
        p
        for p in fixture("members.json")
        if who & {p["caresource_id"], p["medicaid_id"], "|".join(p[k] for k in NAME).lower()}
    ]
    spans = person["eligibility"]
    covered = any(s["start"] <= day <= (s["end"] or "9999") for s in spans)
    in_network = {p["npi"]: p["in_network"] for p in fixture("providers.json")}
    codes = {c["code"]: c for c in fixture("codes/procedures.json")}
    known = all(
        codes.get(line.code, {}).get("category") == request.category for line in request.procedures
    )
    if not (covered and in_network.get(request.provider_npi) and known):
        return "rejected", "-"
    statuses = [
        _line_status(codes[line.code]["rule"], line.units, request) for line in request.procedures
    ]
    if all(s == "not_required" for s in statuses):
        return "not_required", "-"
    statuses = ["approved" if s == "not_required" else s for s in statuses]
    for status in ("pended", "no_decision_yet"):
        if status in statuses:
            return "submitted", status
    if len(set(statuses)) == 1 and statuses[0] in {"approved", "denied"}:
        return "submitted", statuses[0]
    return "submitted", "partially_approved"


def _line_status(rule: dict[str, Any], units: int, request: AuthRequest) -> str:
    kind = rule["kind"]
    if kind == "limit":
        return "approved" if units <= rule["max_units"] else "partially_approved"
    if kind == "clinical":
        return "approved" if _criteria_met(request) else "pended"
    return {"not_required": "not_required", "review": "pended", "not_covered": "denied"}.get(
        kind, "no_decision_yet"
    )


def _criteria_met(request: AuthRequest) -> bool:
    groups: dict[str, bool] = {}
    for question in fixture("questionnaires.json")[request.category]:
        answer = request.clinical.answers[question["text"]]  # a gap would be refused: KeyError
        criterion = question["criterion"]
        met = (
            answer == criterion["equals"]
            if "equals" in criterion
            else int(answer) >= criterion["min"]
        )
        group = question.get("any_of") or question["text"]
        groups[group] = groups.get(group, False) or met
    return all(groups.values())


def readme_table() -> dict[str, tuple[str, str]]:
    """``id → (queue state, portal status)`` from fixtures/requests/README.md."""
    rows = [line.split("|") for line in (SAMPLES / "README.md").read_text().splitlines()]
    return {
        cells[1].strip(" `"): (cells[3].strip(" `"), cells[4].strip(" `"))
        for cells in rows
        if len(cells) > 5 and cells[1].strip(" `").startswith("REQ-")
    }


def test_the_samples_reach_every_outcome_the_readme_promises() -> None:
    table = readme_table()
    samples = [e for path in SAMPLE_FILES for e in read_requests(path)]
    ids = [e.request.key if isinstance(e, Accepted) else json.loads(e.raw)["id"] for e in samples]
    assert len(ids) == len(set(ids)) == len(table)
    assert set(ids) == set(table)
    valid = accepted(samples)
    assert len(valid) >= 22 and len(rejected(samples)) >= 3
    for entry in valid:
        assert portal_outcome(entry.request) == table[entry.request.key], entry.request.key
        assert (entry.request.start_date.year, entry.request.start_date.month) == (2026, 12)
    for bad in rejected(samples):
        assert table[json.loads(bad.raw)["id"]] == ("invalid", "-")
    outcomes = set(table.values())
    for status in ("approved", "pended", "denied", "partially_approved", "no_decision_yet"):
        assert ("submitted", status) in outcomes
    assert {("not_required", "-"), ("rejected", "-"), ("invalid", "-")} <= outcomes
    kinds = {e.request.member.search_kind for e in valid}
    assert kinds == {"caresource_id", "medicaid_id", "member_info"}
