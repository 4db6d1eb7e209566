"""How the owner's API shows callers under each CALLER_MASKING."""

from __future__ import annotations

import pytest

from signaling.privacy import caller_label


@pytest.mark.parametrize(
    ("caller", "none", "partial", "full"),
    [
        ({"number": "+15551234567"}, "+15551234567", "+1••••••4567", "phone"),
        ({"number": "0201234"}, "0201234", "•••1234", "phone"),
        ({"ip": "203.0.113.42"}, "203.0.113.42", "203.0.113.•", "ip"),
        ({"ip": "2001:db8:85a3::8a2e:370:7334"}, "2001:db8:85a3::8a2e:370:7334", "2001:db8:85a3:•", "ip"),
        ({"room": "web-1234"}, None, None, None),
        ({"number": "anonymous", "ip": "10.0.0.1"}, "10.0.0.1", "10.0.0.•", "ip"),
    ],
)
def test_caller_label_by_masking(
    caller: dict[str, str], none: str | None, partial: str | None, full: str | None
) -> None:
    assert caller_label(caller, "none") == none
    assert caller_label(caller, "partial") == partial
    assert caller_label(caller, "full") == full
