"""Case hooks: a stamp cannot run without the app's listeners (the report read model)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest
from fastapi import Request

from dispatch.app import case_hooks as app_case_hooks
from dispatch.app import create_app
from dispatch.cases.hooks import CaseHooks, case_hooks
from dispatch.reports import readmodel
from dispatch.settings import Settings


def test_hooks_without_a_stamp_listener_are_refused() -> None:
    """CaseHooks with no on_stamp listener cannot be made: a stamp never skips the read model."""
    with pytest.raises(ValueError, match="at least one on_stamp listener"):
        CaseHooks(on_stamp=())


async def test_an_app_without_hooks_fails_loudly() -> None:
    """The request dependency raises when the app registered no CaseHooks."""
    request = cast(Request, SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace())))
    with pytest.raises(RuntimeError, match="no CaseHooks"):
        await case_hooks(request)


def test_the_app_registers_the_read_model_refresh() -> None:
    """The app factory's hooks rewrite the stamped case's report rows."""
    app = create_app(Settings(env="test", log_json=True, log_level="WARNING"))
    hooks: Any = app.state.case_hooks
    assert [readmodel.on_stamp] == list(hooks.on_stamp)
    assert [readmodel.on_stamp] == list(app_case_hooks().on_stamp)
