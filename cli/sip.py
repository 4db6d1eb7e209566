"""`resume-agent sip setup`: the inbound trunk and dispatch rule for phone calls, idempotently.

Calls to the trunk's numbers each get their own `call-` room. The rule names the trunk, so
calls arriving any other way never create rooms (no catch-all rule).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from livekit import api

from config.settings import Settings, get_settings

ROOM_PREFIX = "call-"


def add_parser(sub: Any) -> None:
    p = sub.add_parser("sip", help="phone calls through LiveKit SIP")
    ssub = p.add_subparsers(dest="sip_command", required=True)
    ssub.add_parser("setup", help="create or update the inbound trunk and dispatch rule").set_defaults(
        func=run_setup
    )


def trunk_info(settings: Settings) -> api.SIPInboundTrunkInfo:
    info = api.SIPInboundTrunkInfo(
        name=settings.sip_trunk_name,
        numbers=settings.sip_numbers,
        allowed_addresses=settings.sip_allowed_addresses,
        krisp_enabled=False,
    )
    if settings.sip_auth_username and settings.sip_auth_password:
        info.auth_username = settings.sip_auth_username
        info.auth_password = settings.sip_auth_password.get_secret_value()
    return info


def rule_info(settings: Settings, trunk_id: str) -> api.SIPDispatchRuleInfo:
    return api.SIPDispatchRuleInfo(
        name=f"{settings.sip_trunk_name}-dispatch",
        trunk_ids=[trunk_id],
        rule=api.SIPDispatchRule(
            dispatch_rule_individual=api.SIPDispatchRuleIndividual(room_prefix=ROOM_PREFIX)
        ),
    )


async def setup(settings: Settings) -> tuple[str, str]:
    """(trunk id, rule id) after creating or updating both."""
    if not settings.livekit_enabled:
        raise SystemExit("error: set LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET first")
    if not settings.sip_numbers and not settings.sip_allowed_addresses and not settings.sip_auth_username:
        raise SystemExit(
            "error: set SIP_NUMBERS, SIP_ALLOWED_ADDRESSES or SIP_AUTH_USERNAME (an open trunk takes spam)"
        )
    assert settings.livekit_url and settings.livekit_api_key and settings.livekit_api_secret
    lk = api.LiveKitAPI(
        settings.livekit_url, settings.livekit_api_key, settings.livekit_api_secret.get_secret_value()
    )
    try:
        wanted = trunk_info(settings)
        trunks = (await lk.sip.list_inbound_trunk(api.ListSIPInboundTrunkRequest())).items
        existing = next((t for t in trunks if t.name == wanted.name), None)
        if existing is None:
            trunk = await lk.sip.create_inbound_trunk(api.CreateSIPInboundTrunkRequest(trunk=wanted))
        else:
            trunk = await lk.sip.update_inbound_trunk(existing.sip_trunk_id, wanted)
        rule = rule_info(settings, trunk.sip_trunk_id)
        rules = (await lk.sip.list_dispatch_rule(api.ListSIPDispatchRuleRequest())).items
        current = next((r for r in rules if r.name == rule.name), None)
        if current is None:
            saved = await lk.sip.create_dispatch_rule(api.CreateSIPDispatchRuleRequest(dispatch_rule=rule))
        else:
            saved = await lk.sip.update_dispatch_rule(current.sip_dispatch_rule_id, rule)
        return trunk.sip_trunk_id, saved.sip_dispatch_rule_id
    finally:
        await lk.aclose()


def run_setup(args: argparse.Namespace) -> int:
    trunk_id, rule_id = asyncio.run(setup(get_settings()))
    print(f"inbound trunk {trunk_id}, dispatch rule {rule_id} (rooms {ROOM_PREFIX}*)", file=sys.stderr)
    return 0
