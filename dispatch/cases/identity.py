"""Who called and who the patient is (issue 13, item 8): the caller's phone, the patient's name
and resident ID number, the address. Pure checks; every message says what is wrong, never the
value (personal data stays out of responses' errors and logs).

A resident ID number (居民身份证号码) is GB 11643-1999: 17 digits and a check character
(``0``-``9`` or ``X``), ISO 7064 MOD 11-2; a legacy first-generation number is 15 digits."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field

PHONE = re.compile(r"\+?[0-9]+(?:[- ][0-9]+)*")
PHONE_DIGITS = (3, 20)  # 120, 110 … up to an international number with an extension
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"  # the check character for each remainder of the weighted sum mod 11
# Columns of the case holding personal data: never in the audit trail's before/after.
PERSONAL_COLUMNS = frozenset({"caller_phone", "patient_name", "patient_id_number", "address"})


def check_phone(value: str) -> str:
    """A phone number: digits, an optional leading ``+``, ``-`` or spaces between groups."""
    value = value.strip()
    digits = sum(c.isdigit() for c in value)
    if not PHONE.fullmatch(value) or not PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]:
        raise ValueError(
            "a phone number is 3 to 20 digits, optionally with a leading + and - or spaces"
            " between groups"
        )
    return value


def id_check_character(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def check_id_number(value: str) -> str:
    """An 18-character resident ID number with a correct check character (a lower-case ``x``
    is read as ``X``), or a legacy 15-digit one."""
    value = value.strip().upper()
    if len(value) == 15 and value.isascii() and value.isdigit():
        return value
    if len(value) != 18 or not (value[:17].isascii() and value[:17].isdigit()):
        raise ValueError("an ID number is 18 characters (17 digits and a check digit or X)")
    if value[17] != id_check_character(value[:17]):
        raise ValueError("the ID number's check character does not match (GB 11643): a typo?")
    return value


def _text(value: str) -> str:
    return value.strip()


PhoneNumber = Annotated[str, Field(max_length=32), AfterValidator(check_phone)]
IdNumber = Annotated[str, Field(max_length=24), AfterValidator(check_id_number)]
PersonName = Annotated[str, Field(max_length=64), AfterValidator(_text)]
Address = Annotated[str, Field(max_length=200), AfterValidator(_text)]
