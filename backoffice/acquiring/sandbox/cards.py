"""Card numbers for the sandbox bank: the Luhn check, the payment system by prefix, and the test cards."""

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    SUCCESS = "success"
    DECLINE = "decline"
    TIMEOUT = "timeout"


DECLINE_REASON = "Недостаточно средств на карте"


@dataclass(frozen=True)
class SandboxTestCard:
    number: str
    outcome: Outcome


TEST_CARDS = {
    card.number: card
    for card in (
        SandboxTestCard("4111111111111111", Outcome.SUCCESS),
        SandboxTestCard("5555555555554444", Outcome.SUCCESS),
        SandboxTestCard("2200000000000004", Outcome.SUCCESS),
        SandboxTestCard("4000000000000002", Outcome.DECLINE),
        SandboxTestCard("4000000000000119", Outcome.TIMEOUT),
    )
}


def digits_only(text: str) -> str:
    return "".join(ch for ch in text or "" if ch.isdigit())


def luhn_valid(number: str) -> bool:
    """The check digit of ISO/IEC 7812: every second digit from the right doubled, the sum divisible by 10."""
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def brand_of(number: str) -> str:
    if number.startswith(("2200", "2201", "2202", "2203", "2204")):
        return "МИР"
    if number.startswith("4"):
        return "VISA"
    if number[:2] in {"51", "52", "53", "54", "55"} or "2221" <= number[:4] <= "2720":
        return "Mastercard"
    return ""
