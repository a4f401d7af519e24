"""What a code a person typed stands for, shown beside it as they type (the console's form).

Diagnosis codes are described from the real ICD-10-CM code set (``simple-icd-10-cm``, which
intake validates against). Procedure codes are described by their kind only: CPT descriptions
are the AMA's, licensed, and not shipped with pa-bot.
"""

from __future__ import annotations

import re

from bot.models import billable_icd10, dotted_icd10

_CPT = re.compile(r"^\d{5}$")
_HCPCS = re.compile(r"^[A-Z]\d{4}$")
_UNITS = re.compile(r"^(.+?)\s*[xX]\s*(\d+)$")
_SEPARATORS = re.compile(r"[;,\s]+")


def load_code_set() -> None:
    """Load the ICD-10-CM code set now (a console does it on a thread as it starts), so that the
    first code a person types is described at once."""
    import simple_icd_10_cm as icd

    icd.is_valid_item("A00")


def split_codes(text: str) -> list[str]:
    """Codes as a person types them: separated by semicolons, commas, spaces or new lines."""
    return [part for part in _SEPARATORS.split(text.strip()) if part]


def describe_diagnosis(code: str) -> tuple[str, str]:
    """The code as intake reads it, and what it stands for (or why it will be refused)."""
    import simple_icd_10_cm as icd  # loaded on first use (seconds, ~170 MB): see models.QUEUED

    dotted = dotted_icd10(code)
    if not icd.is_valid_item(dotted):
        return dotted, "not an ICD-10-CM code"
    description = str(icd.get_description(dotted))
    if not billable_icd10(dotted):
        return dotted, f"{description} (not billable: choose a more specific code)"
    return dotted, description


def describe_procedure(line: str) -> tuple[str, str]:
    """A procedure line (``97110x12`` or a bare code) and what kind of code it is, with units."""
    match = _UNITS.match(line)
    code, units = (match.group(1), int(match.group(2))) if match else (line, 1)
    code = code.upper()
    unit_text = f"{units} unit" + ("" if units == 1 else "s")
    if _CPT.match(code):
        return code, f"CPT code, {unit_text}"
    if _HCPCS.match(code):
        return code, f"HCPCS code, {unit_text}"
    return code, "not a CPT code (5 digits) or a HCPCS code (a letter and 4 digits)"
