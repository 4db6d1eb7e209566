"""Who may call: the trunk's source addresses and/or digest credentials (RFC 2617/7616, MD5).

Each configured check must pass: an address outside SIP_ALLOWED_ADDRESSES gets 403, and when
SIP_AUTH_USERNAME/SIP_AUTH_PASSWORD are set an INVITE without valid credentials gets a 401
challenge. With neither configured every INVITE is refused (403): an open SIP port would let
anyone on the internet place calls into the agent.

Nonces are stateless (a timestamp and its HMAC under the service's secret key), so a challenge
answered at another agent process behind the same proxy still verifies.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

REALM = "resume-agent"
NONCE_TTL_S = 300
_PARAM = re.compile(r'(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]+))')


@dataclass(frozen=True)
class Verdict:
    status: int  # 0: admitted; else the SIP status to answer with
    challenge: str | None = None  # the WWW-Authenticate value of a 401


ADMITTED = Verdict(0)


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def parse_digest(header: str) -> dict[str, str]:
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() != "digest":
        return {}
    return {m.group(1).lower(): m.group(2) or m.group(3) or "" for m in _PARAM.finditer(rest)}


class TrunkAuth:
    def __init__(
        self,
        allowed: list[str],
        username: str | None,
        password: str | None,
        key: bytes,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.networks = [ipaddress.ip_network(a.strip(), strict=False) for a in allowed if a.strip()]
        self.username = username
        self.password = password
        self._key = key
        self._now = now

    @property
    def open_to_nobody(self) -> bool:
        return not self.networks and not (self.username and self.password)

    def check(self, source: str, method: str, authorization: str | None) -> Verdict:
        if self.open_to_nobody:
            return Verdict(403)
        if self.networks and not self._allowed(source):
            return Verdict(403)
        if self.username and self.password:
            digest_ok = authorization is not None and self._digest_ok(parse_digest(authorization), method)
            if not digest_ok:
                return Verdict(401, self.challenge())
        return ADMITTED

    def _allowed(self, source: str) -> bool:
        # PJSIP gives "1.2.3.4:5060" or "[::1]:5060".
        host = source.rsplit(":", 1)[0] if source.count(":") == 1 or source.startswith("[") else source
        try:
            address = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    def challenge(self) -> str:
        return f'Digest realm="{REALM}", nonce="{self._nonce()}", algorithm=MD5, qop="auth"'

    def _nonce(self, stamp: int | None = None) -> str:
        stamp = int(self._now()) if stamp is None else stamp
        salt = secrets.token_hex(4)
        mac = hmac.new(self._key, f"{stamp}:{salt}".encode(), hashlib.sha256).hexdigest()[:24]
        return f"{stamp}.{salt}.{mac}"

    def _nonce_ok(self, nonce: str) -> bool:
        stamp, _, rest = nonce.partition(".")
        salt, _, mac = rest.partition(".")
        if not stamp.isdigit() or not salt or not mac:
            return False
        expected = hmac.new(self._key, f"{stamp}:{salt}".encode(), hashlib.sha256).hexdigest()[:24]
        return hmac.compare_digest(mac, expected) and 0 <= self._now() - int(stamp) <= NONCE_TTL_S

    def _digest_ok(self, p: dict[str, str], method: str) -> bool:
        assert self.username is not None and self.password is not None
        needed = ("username", "realm", "nonce", "uri", "response")
        if any(k not in p for k in needed) or p.get("algorithm", "MD5").upper() != "MD5":
            return False
        if not hmac.compare_digest(p["username"].encode(), self.username.encode()) or p["realm"] != REALM:
            return False
        if not self._nonce_ok(p["nonce"]):
            return False
        ha1 = _md5(f"{self.username}:{REALM}:{self.password}")
        ha2 = _md5(f"{method}:{p['uri']}")
        if p.get("qop"):
            if p["qop"].lower() != "auth" or "nc" not in p or "cnonce" not in p:
                return False
            expected = _md5(f"{ha1}:{p['nonce']}:{p['nc']}:{p['cnonce']}:auth:{ha2}")
        else:
            expected = _md5(f"{ha1}:{p['nonce']}:{ha2}")
        return hmac.compare_digest(expected, p["response"].lower())
