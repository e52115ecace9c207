"""The Kazakh individual identification number (IIN, ЖСН, ИИН): 12 digits.

Digits 1–6 are the birth date (YYMMDD); digit 7 gives the century and sex (1/2: 1800s, 3/4: 1900s,
5/6: 2000s; odd is male, even is female); digits 8–11 a serial number; digit 12 a check digit:
the weighted sum with weights 1…11 modulo 11, and when that is 10, again with weights 3…11, 1, 2;
a number whose second sum is also 10 is never issued.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

FIRST_WEIGHTS = tuple(range(1, 12))
SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
CENTURY_BY_DIGIT = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}


class InvalidIIN(ValueError):
    def __init__(self, code: str):
        self.code = code
        super().__init__(code)


@dataclass(frozen=True)
class IINFacts:
    birth_date: datetime.date
    sex: str  # "m" or "f"


def check_digit(first_eleven: str) -> int | None:
    """The check digit for 11 digits, or None when no valid IIN starts with them."""
    digits = [int(c) for c in first_eleven]
    total = sum(d * w for d, w in zip(digits, FIRST_WEIGHTS, strict=True)) % 11
    if total == 10:
        total = sum(d * w for d, w in zip(digits, SECOND_WEIGHTS, strict=True)) % 11
        if total == 10:
            return None
    return total


def normalize(raw: object) -> str:
    """Digits only; spreadsheets drop leading zeros and add spaces, so both are mended here."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = "".join(str(raw).split())
    if text.isdigit() and len(text) < 12:
        text = text.zfill(12)
    return text


def parse(raw: object) -> tuple[str, IINFacts]:
    """Validate an IIN and return it with the birth date and sex it encodes; raises InvalidIIN."""
    iin = normalize(raw)
    if not iin:
        raise InvalidIIN("iin_missing")
    if len(iin) != 12 or not iin.isascii() or not iin.isdigit():
        raise InvalidIIN("iin_format")
    expected = check_digit(iin[:11])
    if expected is None or expected != int(iin[11]):
        raise InvalidIIN("iin_checksum")
    century_digit = int(iin[6])
    if century_digit not in CENTURY_BY_DIGIT:
        raise InvalidIIN("iin_century")
    year = CENTURY_BY_DIGIT[century_digit] + int(iin[0:2])
    try:
        birth_date = datetime.date(year, int(iin[2:4]), int(iin[4:6]))
    except ValueError:
        raise InvalidIIN("iin_birth_date") from None
    return iin, IINFacts(birth_date=birth_date, sex="m" if century_digit % 2 else "f")


def is_valid(raw: object) -> bool:
    try:
        parse(raw)
    except InvalidIIN:
        return False
    return True


def build(birth_date: datetime.date, sex: str, serial: int) -> str | None:
    """An IIN for a birth date, sex and 4-digit serial; None when that serial has no check digit."""
    century_digit = {1800: 1, 1900: 3, 2000: 5}[birth_date.year // 100 * 100] + (0 if sex == "m" else 1)
    first_eleven = f"{birth_date:%y%m%d}{century_digit}{serial:04d}"
    digit = check_digit(first_eleven)
    return None if digit is None else first_eleven + str(digit)
