"""Masking personal data in transcripts: card numbers, email addresses and phone numbers.

Pure text rules, no ORM. `mask_text` replaces

- **card numbers**: 13 to 19 digits, written together or in groups separated by single spaces or
  dashes, that pass the Luhn check (the checksum every payment card number carries) → "[card]";
- **email addresses** → "[email]";
- **phone numbers** → "[phone]": international numbers starting with "+" (8 to 15 digits),
  national numbers starting with a trunk "0" or an area code in brackets (9 to 13 digits), and
  North American numbers written 3-3-4 with separators ("555-123-4567", "555.123.4567").

Recall gives way to precision where the two conflict: order and reference numbers (a bare run of
digits, or digits after "#" or a letter prefix such as "ORD-"), dates ("2026-03-15", "15/03/2026",
"15.03.2026"), times ("10:30:15"), amounts and version numbers are left alone. A bare run of ten
digits without a leading "0", "+" or separators could be a phone number or an order number; it is
not masked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

CARD = "[card]"
EMAIL = "[email]"
PHONE = "[phone]"

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])"
)

# A run of digits and the separators numbers are written with. It may start with "+" or "(",
# may not be glued to a word, an id prefix ("#", "ORD-", "v1.") or a path, and stops before a
# time's colon so "15.03.2026 10:30" stays two things.
_NUMBER_RUN = re.compile(
    r"(?<![\w#/.,+-])(?<![\w][-.])"
    r"(?:\+|\()?\d(?:[\d().-]|[ ](?=[\d(]))*\d\)?"
    r"(?![\w:/]|[-.,]\d)"
)
_GROUP_SPLIT = re.compile(r"[ -]")
_DATE = re.compile(r"^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})$")
_NANP = re.compile(r"^\(?[2-9]\d{2}\)?[ .-]?\d{3}[ .-]\d{4}$")
_DIGIT = re.compile(r"\d")


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum (ISO/IEC 7812): double every second digit from the right."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _card_spans(run: str) -> list[tuple[int, int]]:
    """Spans of `run` (digits in groups separated by single spaces or dashes) that are cards.

    Tries every window of whole groups, longest first from the left, so "4111 1111 1111 1111 12"
    (a card followed by something else) still finds the card.
    """
    if any(c in run for c in "+()."):
        return []
    groups: list[tuple[int, int]] = []
    start = 0
    for m in _GROUP_SPLIT.finditer(run):
        groups.append((start, m.start()))
        start = m.end()
    groups.append((start, len(run)))
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(groups):
        found = False
        for j in range(len(groups) - 1, i - 1, -1):
            text = run[groups[i][0] : groups[j][1]]
            digits = _GROUP_SPLIT.sub("", text)
            if 13 <= len(digits) <= 19 and luhn_valid(digits):
                spans.append((groups[i][0], groups[j][1]))
                i = j + 1
                found = True
                break
        if not found:
            i += 1
    return spans


def _is_phone(run: str) -> bool:
    if _DATE.match(run):
        return False
    digits = len(_DIGIT.findall(run))
    if run.startswith("+"):
        return 8 <= digits <= 15
    if _NANP.match(run):
        return True
    if run.startswith("00"):
        # The international call prefix written out: 00 44 20 7946 0958.
        return 10 <= digits <= 17
    if run.startswith(("0", "(")):
        # A national number: a trunk "0" or an area code in brackets, then the subscriber number.
        return 9 <= digits <= 13
    return False


def _mask_number(match: re.Match[str]) -> str:
    run = match.group(0)
    spans = _card_spans(run)
    if spans:
        out: list[str] = []
        last = 0
        for start, end in spans:
            out.append(run[last:start])
            out.append(CARD)
            last = end
        out.append(run[last:])
        return "".join(out)
    if _is_phone(run):
        return PHONE
    return run


def mask_text(text: str) -> str:
    """`text` with card numbers, email addresses and phone numbers replaced."""
    if not text:
        return text
    if "@" in text:
        text = _EMAIL.sub(EMAIL, text)
    if _DIGIT.search(text):
        text = _NUMBER_RUN.sub(_mask_number, text)
    return text


def mask_messages(messages: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Transcript messages with their `text` and `name` masked (other keys as they are)."""
    masked: list[dict[str, Any]] = []
    for message in messages:
        item = dict(message)
        for key in ("text", "name"):
            value = item.get(key)
            if isinstance(value, str):
                item[key] = mask_text(value)
        masked.append(item)
    return masked
