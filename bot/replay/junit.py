"""JUnit XML of a replay: one testcase per scenario, failures saying expected against got."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from bot.replay.runner import Result


def write_junit(path: Path, results: list[Result], suite: str = "pa-bot replay") -> None:
    failed = [r for r in results if not r.passed]
    root = ET.Element("testsuites", name=suite)
    testsuite = ET.SubElement(
        root,
        "testsuite",
        name=suite,
        tests=str(len(results)),
        failures=str(len(failed)),
        errors="0",
        skipped="0",
        time=f"{sum(r.seconds for r in results):.3f}",
    )
    for result in results:
        case = ET.SubElement(
            testsuite,
            "testcase",
            classname=f"scenarios.{result.file.parent.name}",
            name=result.name,
            file=str(result.file),
            time=f"{result.seconds:.3f}",
        )
        if result.passed:
            continue
        kind = "MalformedScenario" if result.verdict == "malformed" else "ScenarioMismatch"
        failure = ET.SubElement(case, "failure", message="; ".join(result.messages), type=kind)
        lines = [f"{result.file}: {result.description}", *result.messages]
        lines.extend(f"evidence: {p}" for p in result.evidence)
        failure.text = "\n".join(lines)
    ET.indent(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
