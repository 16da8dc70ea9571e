"""The caller's phone and the patient's resident ID number are checked without echoing them."""

from __future__ import annotations

import pytest

from dispatch.cases.identity import check_id_number, check_phone, id_check_character

# Synthetic numbers: the standard's own example (GB 11643-1999) and an area code no one has.
EXAMPLE = "11010519491231002X"
SYNTHETIC = "999999198001011233"


def test_the_check_character_is_iso_7064_mod_11_2() -> None:
    """The standard's example ends in X; the synthetic one in 3."""
    assert ("X", "3") == (id_check_character(EXAMPLE[:17]), id_check_character(SYNTHETIC[:17]))


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (EXAMPLE, EXAMPLE),
        (EXAMPLE.lower(), EXAMPLE),  # a lower-case x is read as X
        (f" {SYNTHETIC} ", SYNTHETIC),
        ("999999800101123", "999999800101123"),  # a legacy 15-digit number
    ],
)
def test_good_id_numbers_are_kept_normalised(given: str, kept: str) -> None:
    """Valid numbers pass, trimmed and with an upper-case X."""
    assert kept == check_id_number(given)


@pytest.mark.parametrize(
    "bad",
    [
        "999999198001011234",  # the last digit is not the check digit
        "99999919800101123",  # 17 characters
        "99999919800101123X3",  # 19
        "9999991980010112X3",  # X inside
        "９９９９９９１９８００１０１１２３３",  # full-width digits
        "99999980010112",  # 14 digits
        "",
    ],
)
def test_bad_id_numbers_are_refused_without_the_value(bad: str) -> None:
    """A wrong check digit, a wrong length or other characters: refused, the value not echoed."""
    with pytest.raises(ValueError, match="ID number") as refused:
        check_id_number(bad)
    assert not bad or bad not in str(refused.value)


@pytest.mark.parametrize(
    "good", ["120", "13800000000", "+86 138 0000 0000", "0394-1234567", "+86-394-1234567"]
)
def test_phone_numbers_of_digits_plus_and_dashes_pass(good: str) -> None:
    """Digits with a leading + and - or spaces between groups."""
    assert good == check_phone(f" {good} ")


@pytest.mark.parametrize(
    "bad", ["12", "abc", "138 0000 000a", "--138", "138--000", "+", "1" * 21, "138\n0000"]
)
def test_other_phone_numbers_are_refused(bad: str) -> None:
    """Too short, too long, letters, doubled or leading separators: refused."""
    with pytest.raises(ValueError, match="phone number") as refused:
        check_phone(bad)
    assert len(bad.strip()) < 3 or bad.strip() not in str(refused.value)  # "+" is in the text
