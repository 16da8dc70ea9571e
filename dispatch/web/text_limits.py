"""The longest text each free-text field of the pages may hold, read from the API's own
schemas (so a page's counter and the server's 422 never disagree)."""

from __future__ import annotations

from annotated_types import MaxLen
from pydantic import BaseModel

from alerts.schemas import AckIn, AlertIn, CancelIn
from dispatch.cases.schemas import CaseIn, DelayReasonIn, EventIn

# A page's name for a text field → the schema and field that decide its limit.
TEXT_FIELDS: dict[str, tuple[type[BaseModel], str]] = {
    "complaint": (CaseIn, "complaint"),
    "summary": (AlertIn, "summary"),
    "stamp_note": (EventIn, "note"),
    "stamp_reason": (EventIn, "reason"),
    "answer_note": (AckIn, "note"),
    "cancel_reason": (CancelIn, "reason"),
    "delay_note": (DelayReasonIn, "note"),
}


def max_length(model: type[BaseModel], field: str) -> int:
    """The field's ``max_length`` (ValueError if it has none: every text the pages send has)."""
    for rule in model.model_fields[field].metadata:
        if isinstance(rule, MaxLen):
            return int(rule.max_length)
    raise ValueError(f"{model.__name__}.{field} has no max_length")


def text_limits() -> dict[str, int]:
    """Every page text field's limit, by the page's name for it."""
    return {name: max_length(model, field) for name, (model, field) in TEXT_FIELDS.items()}
