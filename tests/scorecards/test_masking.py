"""Masking card numbers, email addresses and phone numbers in transcripts (pure rules)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scorecards.masking import luhn_valid, mask_messages, mask_text

# --- Card numbers ---------------------------------------------------------------------------

CARDS = [
    "4111111111111111",  # Visa test number
    "4111 1111 1111 1111",
    "4111-1111-1111-1111",
    "5555555555554444",  # Mastercard
    "5555 5555 5555 4444",
    "378282246310005",  # American Express, 15 digits
    "3782 822463 10005",  # Amex grouping 4-6-5
    "6011111111111117",  # Discover
    "4222222222222",  # 13-digit Visa
    "6011 0009 9013 9424",
    "3530111333300000",  # JCB
    "4000056655665556",
    "6304000000000000",  # Maestro
    "5019717010103742",  # Dankort
    "6759649826438453",
    "4917 4845 8989 7107 049",  # 19 digits
]


@pytest.mark.parametrize("card", CARDS)
def test_a_luhn_valid_card_number_is_masked_however_it_is_grouped(card: str) -> None:
    assert mask_text(f"My card is {card}, expiry next year.") == (
        "My card is [card], expiry next year."
    )


@pytest.mark.parametrize("card", CARDS)
def test_every_example_card_passes_the_luhn_check(card: str) -> None:
    assert luhn_valid(card.replace(" ", "").replace("-", ""))


def test_a_card_at_the_start_or_end_of_the_text_is_masked() -> None:
    assert mask_text("4111111111111111") == "[card]"
    assert mask_text("card: 5555 5555 5555 4444.") == "card: [card]."


def test_a_card_followed_by_other_digits_is_still_found() -> None:
    assert mask_text("4111 1111 1111 1111 12 25") == "[card] 12 25"


def test_two_cards_in_one_message_are_both_masked() -> None:
    text = "Old 4111111111111111 and new 5555-5555-5555-4444 please."
    assert mask_text(text) == "Old [card] and new [card] please."


NOT_CARDS = [
    "4111 1111 1111 1112",  # fails the Luhn check
    "1234567890123",  # 13 digits, not Luhn-valid: an order number
    "Order 1234567890123456 shipped",
    "411111111111",  # 12 digits: too short
    "41111111111111111111",  # 20 digits together: too long
    "4111.1111.1111.1111",  # dots are not how cards are written
    "ORD-4111111111111111",  # glued to an id prefix
    "#4111111111111111",
    "INV4111111111111111",
]


@pytest.mark.parametrize("text", NOT_CARDS)
def test_digit_runs_that_are_not_card_numbers_stay(text: str) -> None:
    assert "[card]" not in mask_text(text)


def test_luhn_rejects_non_digits_and_wrong_checksums() -> None:
    assert not luhn_valid("")
    assert not luhn_valid("4111-1111")
    assert not luhn_valid("79927398712")
    assert luhn_valid("79927398713")


# --- Email addresses ------------------------------------------------------------------------

EMAILS = [
    "ada@example.com",
    "Ada.Lovelace@Example.CO.UK",
    "john.doe+billing@mail.example.org",
    "a_b-c@sub-domain.example.io",
    "x1@y2.de",
    "o'brien@example.ie".replace("'", ""),
    "first.last@xn--bcher-kva.example",
]


@pytest.mark.parametrize("email", EMAILS)
def test_an_email_address_is_masked(email: str) -> None:
    assert mask_text(f"Write to {email} today") == "Write to [email] today"
    assert mask_text(f"<{email}>") == "<[email]>"


NOT_EMAILS = [
    "Ping @support on the team channel",
    "user@localhost",
    "an @ sign alone",
    "price@ 5",
    "support@",
    "@example.com",
]


@pytest.mark.parametrize("text", NOT_EMAILS)
def test_things_that_are_not_email_addresses_stay(text: str) -> None:
    assert mask_text(text) == text


# --- Phone numbers --------------------------------------------------------------------------

PHONES = [
    "+44 20 7946 0958",
    "+442079460958",
    "+1 (555) 123-4567",
    "+1-555-123-4567",
    "+33 1 23 45 67 89",
    "+49 30 12345678",
    "+353 1 555 0100",
    "(555) 123-4567",
    "555-123-4567",
    "555.123.4567",
    "555 123 4567",
    "020 7946 0958",
    "07700 900123",
    "07700900123",
    "01 23 45 67 89",
    "030 12345678",
    "0800 123 4567",
    "(020) 7946 0958",
    "0044 20 7946 0958",
]


@pytest.mark.parametrize("phone", PHONES)
def test_a_phone_number_is_masked(phone: str) -> None:
    assert mask_text(f"Call me on {phone} after six.") == "Call me on [phone] after six."


def test_a_phone_number_after_a_label_is_masked() -> None:
    assert mask_text("Tel: +44 20 7946 0958") == "Tel: [phone]"
    assert mask_text("mobile 07700 900123, thanks") == "mobile [phone], thanks"


NOT_PHONES = [
    # Order and reference numbers
    "Your order number is 100234567.",
    "Order #123-456-7890 has shipped",
    "Reference ORD-2024-001234",
    "Invoice INV-0001234567",
    "ticket 5551234567",
    "case 48213",
    "SKU 4006381333931",
    # Dates
    "2026-03-15",
    "15/03/2026",
    "03/15/2026",
    "15.03.2026",
    "05.03.2026",
    "2026-03-15T10:30:00Z",
    "2026-03-15T10:30:00+01:00",
    "on 05.03.2026 14:30 we spoke",
    "between 2026-03-01 and 2026-03-31",
    "15-03-2026",
    # Times
    "10:30",
    "10:30:15",
    "00:01:12 Agent: hello",
    "at 14:05 and 16:45:30",
    # Amounts, versions, measurements
    "That costs £1,234.56 or 1.234,56 €",
    "Version 10.0.19041.1234",
    "pi is 3.14159265358979",
    "192.168.100.200",
    "It weighs 12.5 kg",
    "Postcode SW1A 1AA",
    "2 x 3 = 6",
    "Room 101, floor 3",
]


@pytest.mark.parametrize("text", NOT_PHONES)
def test_order_numbers_dates_times_and_amounts_are_not_masked(text: str) -> None:
    assert mask_text(text) == text


# --- Together -------------------------------------------------------------------------------


def test_a_message_with_everything_masks_each_kind() -> None:
    text = (
        "Hi, I'm ada@example.com, call +44 20 7946 0958 about order 100234567 from "
        "2026-03-15 10:30; card 4111 1111 1111 1111."
    )
    assert mask_text(text) == (
        "Hi, I'm [email], call [phone] about order 100234567 from 2026-03-15 10:30; card [card]."
    )


def test_masking_is_idempotent_and_keeps_empty_text() -> None:
    text = "ada@example.com 4111111111111111 +44 20 7946 0958"
    once = mask_text(text)
    assert mask_text(once) == once
    assert mask_text("") == ""


def test_messages_have_their_text_and_name_masked_and_other_keys_kept() -> None:
    messages = [
        {"speaker": "customer", "name": "ada@example.com", "at": None, "offset": 3,
         "text": "My number is 07700 900123", "internal": False},
        {"speaker": "agent", "name": "Bo", "at": "2026-03-15T10:30:00+00:00", "offset": None,
         "text": "Thanks", "internal": True},
    ]  # fmt: skip
    masked = mask_messages(messages)
    assert masked[0] == {**messages[0], "name": "[email]", "text": "My number is [phone]"}
    assert masked[1] == messages[1]
    assert messages[0]["name"] == "ada@example.com"  # the input is not changed


@given(st.text(alphabet="abc ,.:-/#()+0123456789", max_size=60))
def test_masking_never_adds_digits_and_never_fails(text: str) -> None:
    masked = mask_text(text)
    assert sum(c.isdigit() for c in masked) <= sum(c.isdigit() for c in text)
    assert mask_text(masked) == masked


@given(st.lists(st.sampled_from(["card 4111111111111111", "a@b.example", "x", " "]), max_size=8))
def test_no_card_number_or_email_survives(parts: list[str]) -> None:
    masked = mask_text(" ".join(parts))
    assert "4111111111111111" not in masked
    assert "a@b.example" not in masked
