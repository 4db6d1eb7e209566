"""The trunk checks on their own: allow-list, digest answers computed as a SIP phone would."""

from __future__ import annotations

import hashlib

from agent.sip.auth import REALM, TrunkAuth, parse_digest
from agent.sip.message import InviteHeaders

KEY = b"k" * 32


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def answer(challenge: str, user: str, password: str, uri: str = "sip:agent@host", qop: bool = True) -> str:
    nonce = parse_digest(challenge)["nonce"]
    ha1, ha2 = _md5(f"{user}:{REALM}:{password}"), _md5(f"INVITE:{uri}")
    if qop:
        response = _md5(f"{ha1}:{nonce}:00000001:abc:auth:{ha2}")
        extra = ', qop=auth, nc=00000001, cnonce="abc"'
    else:
        response, extra = _md5(f"{ha1}:{nonce}:{ha2}"), ""
    return (
        f'Digest username="{user}", realm="{REALM}", nonce="{nonce}", uri="{uri}", '
        f'response="{response}", algorithm=MD5{extra}'
    )


def test_nothing_configured_refuses_everyone() -> None:
    assert TrunkAuth([], None, None, KEY).check("127.0.0.1:5060", "INVITE", None).status == 403


def test_allow_list_by_address_and_network() -> None:
    auth = TrunkAuth(["10.0.0.0/8", "192.0.2.7"], None, None, KEY)
    assert auth.check("10.1.2.3:5060", "INVITE", None).status == 0
    assert auth.check("192.0.2.7:5080", "INVITE", None).status == 0
    assert auth.check("192.0.2.8:5060", "INVITE", None).status == 403
    assert auth.check("not-an-address", "INVITE", None).status == 403
    assert TrunkAuth(["::1"], None, None, KEY).check("[::1]:5060", "INVITE", None).status == 0


def test_digest_challenge_then_answer() -> None:
    auth = TrunkAuth([], "trunk", "secret", KEY)
    first = auth.check("203.0.113.9:5060", "INVITE", None)
    assert first.status == 401 and first.challenge is not None
    assert auth.check("203.0.113.9:5060", "INVITE", answer(first.challenge, "trunk", "secret")).status == 0
    plain = answer(first.challenge, "trunk", "secret", qop=False)
    assert auth.check("203.0.113.9:5060", "INVITE", plain).status == 0
    assert auth.check("203.0.113.9:5060", "INVITE", answer(first.challenge, "trunk", "wrong")).status == 401
    assert auth.check("203.0.113.9:5060", "INVITE", answer(first.challenge, "other", "secret")).status == 401
    assert auth.check("203.0.113.9:5060", "INVITE", "Digest garbage").status == 401


def test_nonces_expire_and_must_be_ours() -> None:
    now = [1_000_000.0]
    auth = TrunkAuth([], "trunk", "secret", KEY, now=lambda: now[0])
    challenge = auth.check("1.2.3.4:5060", "INVITE", None).challenge
    assert challenge is not None
    good = answer(challenge, "trunk", "secret")
    other_key = TrunkAuth([], "trunk", "secret", b"x" * 32, now=lambda: now[0])
    assert other_key.check("1.2.3.4:5060", "INVITE", good).status == 401  # forged nonce
    now[0] += 3600
    assert auth.check("1.2.3.4:5060", "INVITE", good).status == 401  # stale


def test_both_checks_apply_when_both_are_set() -> None:
    auth = TrunkAuth(["10.0.0.0/8"], "trunk", "secret", KEY)
    assert auth.check("192.0.2.1:5060", "INVITE", None).status == 403
    assert auth.check("10.0.0.1:5060", "INVITE", None).status == 401


def test_caller_number_prefers_asserted_identity() -> None:
    msg = (
        "INVITE sip:agent@h SIP/2.0\r\n"
        'f: "Anon" <sip:anonymous@invalid>;tag=1\r\n'
        "P-Asserted-Identity: <tel:+15550123>\r\n"
        "Call-ID: abc@h\r\n\r\nv=0\r\n"
    )
    headers = InviteHeaders.parse(msg)
    assert headers.caller_number() == "+15550123"
    assert headers.first("call-id") == "abc@h"
    plain = InviteHeaders.parse("INVITE x SIP/2.0\nFrom: <sip:+1555%3Cb%3E@h>;tag=2\n\n")
    assert plain.caller_number() == "+15553Cb3E"  # only characters a number can hold
