"""Loaded by Python at start-up when this folder is on ``PYTHONPATH``: a test's way to make a
real ``pa-bot`` process meet an exception of a type the bot does not know, inside a step.

``PA_BOT_TEST_INJECT`` lists ``module:Class.method`` names; each raises ``RuntimeError`` on its
first call in the process, with the text of ``PA_BOT_TEST_INJECT_TEXT`` quoted as Playwright
quotes what was typed (``fill("…")``). The bot never reads these variables.
"""

from __future__ import annotations

import functools
import importlib
import os
from collections.abc import Callable
from typing import Any


def _raising_once(method: Callable[..., Any], text: str) -> Callable[..., Any]:
    calls = 0

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError(f'Locator.fill("{text}"): injected\nCall log:\n  - "{text}"')
        return method(*args, **kwargs)

    return wrapper


def _inject() -> None:
    text = os.environ.get("PA_BOT_TEST_INJECT_TEXT", "")
    for name in filter(None, os.environ.get("PA_BOT_TEST_INJECT", "").split(",")):
        module_name, _, attribute = name.partition(":")
        class_name, _, method_name = attribute.partition(".")
        owner = getattr(importlib.import_module(module_name), class_name)
        setattr(owner, method_name, _raising_once(getattr(owner, method_name), text))


_inject()
