"""The pages' text limits are the API schemas' own max_length."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from dispatch.web.text_limits import max_length, text_limits


def test_the_limits_are_the_schemas_max_lengths() -> None:
    """complaint 500, alert summary 1000, a stamp's reason and note 500, a delay's note 500."""
    limits = text_limits()
    assert (500, 1000, 500, 500, 500) == (
        limits["complaint"],
        limits["summary"],
        limits["stamp_reason"],
        limits["stamp_note"],
        limits["delay_note"],
    )


def test_a_field_without_a_limit_is_refused() -> None:
    """A text field with no max_length is a ValueError, not a page without a limit."""

    class Free(BaseModel):
        text: str

    with pytest.raises(ValueError, match=r"Free\.text has no max_length"):
        max_length(Free, "text")
