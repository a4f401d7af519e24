"""The wheel's package list (pyproject.toml lists it: fixtures/ is shipped under another name)
names every folder of the code and of fixtures/, so nothing is left out of an install."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def folders(top: str, name: str) -> set[str]:
    base = ROOT / top
    found = {name}
    for folder in base.rglob("*"):
        if folder.is_dir() and "__pycache__" not in folder.parts:
            found.add(".".join([name, *folder.relative_to(base).parts]))
    return found


def test_every_folder_of_the_code_and_the_fixtures_is_a_listed_package() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]

    assert config["package-dir"] == {"pa_bot_fixtures": "fixtures"}
    assert set(config["packages"]) == (
        folders("bot", "bot")
        | folders("mock_portal", "mock_portal")
        | folders("fixtures", "pa_bot_fixtures")
    )
