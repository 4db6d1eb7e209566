"""What the agent reads from an incoming INVITE's raw text: headers and the caller's number."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Compact forms (RFC 3261 section 7.3.3) that matter here.
_COMPACT = {"f": "from", "t": "to", "i": "call-id", "m": "contact", "c": "content-type"}
_URI = re.compile(r"<?\s*(?:sips?|tel):([^@;>\s]+)", re.IGNORECASE)
# Only what a phone number or SIP user part can hold; anything else is dropped, not stored.
_SAFE = re.compile(r"[^0-9A-Za-z+*#._-]")
MAX_CALLER_CHARS = 64


@dataclass(frozen=True)
class InviteHeaders:
    headers: dict[str, list[str]]

    @classmethod
    def parse(cls, whole_message: str) -> InviteHeaders:
        head = re.split(r"\r?\n\r?\n", whole_message, maxsplit=1)[0]
        headers: dict[str, list[str]] = {}
        name = ""
        for line in re.split(r"\r?\n", head)[1:]:  # the first line is the request line
            if line[:1] in (" ", "\t") and name:  # folded continuation
                headers[name][-1] += " " + line.strip()
                continue
            key, sep, value = line.partition(":")
            if not sep:
                continue
            name = _COMPACT.get(key.strip().lower(), key.strip().lower())
            headers.setdefault(name, []).append(value.strip())
        return cls(headers)

    def first(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return values[0] if values else None

    def caller_number(self) -> str:
        """The calling number: P-Asserted-Identity (set by the carrier) before From (set by the caller)."""
        for name in ("p-asserted-identity", "from"):
            value = self.first(name)
            match = _URI.search(value) if value else None
            if match:
                return _SAFE.sub("", match.group(1))[:MAX_CALLER_CHARS]
        return ""
