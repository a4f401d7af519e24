"""The documentation check: for each category, a request that carries what seed 000 lists gets no
warning, and one that lacks it gets one naming what is missing; the check only warns."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import documentation
from bot.config import Settings
from bot.models import AuthRequest
from bot.queue import Item, State
from bot.queued import documentation_of, payload
from tests.support.cli import pa_bot
from tests.support.requests import answers, attachment, make_request, procedure

FIXTURES = Path(__file__).parents[2] / "fixtures"
CATEGORIES = sorted(json.loads((FIXTURES / "questionnaires.json").read_text()))


def request_in(category: str, *, meet: bool) -> AuthRequest:
    """A request of ``category`` answering its questionnaire so as to meet it or not (its code
    need not belong to the category: the check reads the category, the notes and answers)."""
    clinical = {"answers": answers(category, meet=meet), "notes": "Test notes."}
    return make_request("clinical", category=category, clinical=clinical)


def test_every_category_has_a_row_and_every_row_names_its_seed_line() -> None:
    common, by_category = documentation.table()
    seed = (Path(__file__).parents[1] / "support/seed-000-elements.txt").read_text()
    assert sorted(by_category) == CATEGORIES
    for element in (*common, *(e for rows in by_category.values() for e in rows)):
        assert element.seed in seed, element.element


EXPECTED = {
    # category: (the warnings of a request answering every question "no", notes "Test notes.")
    "Advanced Imaging": [
        "weeks of conservative treatment and its failure, or red-flag findings",
        "prior imaging (X-ray report)",
    ],
    "Physical Therapy": ["plan of care with measurable goals", "functional deficits"],
    "Occupational Therapy": ["plan of care with measurable goals", "functional deficits"],
    "Chiropractic": ["plan of care with measurable goals", "functional deficits"],
    "Durable Medical Equipment": [
        "device trial with documented benefit",
        "home exercise or treatment plan for the device",
    ],
    "Injections": ["failed oral medications or physical therapy"],
    "Drug Testing": ["employer or DOT policy, or positive presumptive screen"],
    "Outpatient Surgery": [
        "failed conservative treatment",
        "confirming imaging or studies (MRI, nerve conduction)",
    ],
}


@pytest.mark.parametrize("category", CATEGORIES)
def test_a_request_lacking_its_elements_is_warned(category: str) -> None:
    lacking = request_in(category, meet=False)

    warned = documentation.warnings(lacking)

    assert warned == [
        f"likely pended: no {needs} in the notes, answers or attachments"
        for needs in EXPECTED[category]
    ]


@pytest.mark.parametrize("category", CATEGORIES)
def test_a_request_answering_yes_is_warned_only_for_what_no_question_asks(category: str) -> None:
    meeting = request_in(category, meet=True)

    warned = documentation.warnings(meeting)

    expected = ["prior imaging (X-ray report)"] if category == "Advanced Imaging" else []
    assert warned == [
        f"likely pended: no {needs} in the notes, answers or attachments" for needs in expected
    ]


def test_the_notes_and_the_attachments_count() -> None:
    base = request_in("Advanced Imaging", meet=True)
    with_report = base.model_copy(update={"attachments": [attachment("xray-report.tiff")]})
    noted = base.model_copy(
        update={"clinical": base.clinical.model_copy(update={"notes": "X-ray 11/02: normal."})}
    )

    assert documentation.warnings(with_report) == []
    assert documentation.warnings(noted) == []


def test_a_request_without_notes_or_files_is_warned_for_its_notes() -> None:
    request = make_request("not_covered")
    bare = request.model_copy(
        update={"clinical": request.clinical.model_copy(update={"notes": ""})}
    )

    assert (
        "likely pended: no clinical notes or attached note in the notes, answers or attachments"
        in documentation.warnings(bare)
    )
    assert procedure("not_covered")["category"] == bare.category


def test_enqueue_warns_and_queues_all_the_same(settings: Settings, tmp_path: Path) -> None:
    lacking = request_in("Outpatient Surgery", meet=False).model_copy(update={"id": "DOC-1"})
    path = tmp_path / "request.json"
    path.write_text(lacking.model_dump_json(exclude_none=True))

    done = pa_bot(settings, "enqueue", str(path))

    assert done.returncode == 0, done.stdout + done.stderr
    assert (
        "documentation DOC-1: likely pended: no failed conservative treatment in the notes, "
        "answers or attachments" in " ".join(done.stdout.split())
    )
    assert "1 queued" in done.stdout


def test_a_term_after_a_negation_does_not_count() -> None:
    base = request_in("Advanced Imaging", meet=False)

    def noted(notes: str) -> list[str]:
        clinical = base.clinical.model_copy(update={"notes": notes})
        return documentation.warnings(base.model_copy(update={"clinical": clinical}))

    lacking = "likely pended: no weeks of conservative treatment and its failure, or red-flag "
    assert any(w.startswith(lacking) for w in noted("No conservative therapy yet."))
    assert any(w.startswith(lacking) for w in noted("Pain; not tried conservative care"))
    assert not any(w.startswith(lacking) for w in noted("No relief. Failed conservative care."))
    assert not any(w.startswith(lacking) for w in noted("Did not respond to conservative care."))


def test_hyphens_and_underscores_in_names_and_notes_are_spaces() -> None:
    base = request_in("Advanced Imaging", meet=True)
    for name in ("x-ray-report.pdf", "x_ray_report.pdf", "xray.pdf"):
        named = base.model_copy(update={"attachments": [Path(name)]})
        assert documentation.warnings(named) == [], name


def test_the_warnings_kept_at_enqueue_are_the_ones_counted() -> None:
    lacking = request_in("Injections", meet=False)
    kept = json.loads(payload(lacking))
    assert kept["_documentation"] == documentation.warnings(lacking)

    def item(data: dict[str, object]) -> Item:
        now = datetime.now(UTC)
        return Item(1, "K", State.PENDING, json.dumps(data), "f", 0, None, None, None, None,
                    None, None, now, now, None)  # fmt: skip

    older_table = {**kept, "_documentation": ["likely pended: what the table said then"]}
    assert documentation_of(item(older_table)) == ["likely pended: what the table said then"]
    before_it_was_kept = {k: v for k, v in kept.items() if k != "_documentation"}
    assert documentation_of(item(before_it_was_kept)) == documentation.warnings(lacking)
