"""How the owner's API shows who called: a phone number or an IP, masked by CALLER_MASKING.

none     as stored: "+15551234567", "203.0.113.42"
partial  enough to tell callers apart, not to call them back: "+1•••••••4567", "203.0.113.•"
full     only what kind of caller it was: "phone", "ip"
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Literal

Masking = Literal["none", "partial", "full"]
DOT = "•"


def _mask_number(number: str) -> str:
    digits = [c for c in number if c.isdigit()]
    if len(digits) <= 4:
        return DOT * len(digits)
    keep_head = 1 if number.startswith("+") else 0  # the country code's first digit
    head = ("+" if number.startswith("+") else "") + "".join(digits[:keep_head])
    return head + DOT * (len(digits) - keep_head - 4) + "".join(digits[-4:])


def _mask_ip(ip: str) -> str:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return DOT * 3
    if address.version == 4:
        return ".".join(ip.split(".")[:3]) + "." + DOT
    groups = address.exploded.split(":")
    return ":".join(g.lstrip("0") or "0" for g in groups[:3]) + ":" + DOT


def caller_label(caller: dict[str, Any], masking: Masking) -> str | None:
    """The caller's number (phone) or IP (web, text), shown as masking says; None if unknown."""
    number = str(caller.get("number") or "").strip()
    ip = str(caller.get("ip") or "").strip()
    if number and re.search(r"\d", number):
        return number if masking == "none" else "phone" if masking == "full" else _mask_number(number)
    if ip:
        return ip if masking == "none" else "ip" if masking == "full" else _mask_ip(ip)
    return None
