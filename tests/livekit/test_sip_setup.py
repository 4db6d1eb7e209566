"""`resume-agent sip setup` against the real server: idempotent, restricted to its trunk."""

from __future__ import annotations

from collections.abc import Callable

from livekit import api

from bench.livekit_server import API_KEY, API_SECRET
from cli.sip import ROOM_PREFIX, setup
from config.settings import Settings


async def test_setup_twice_gives_one_trunk_and_one_rule(
    make_livekit_settings: Callable[..., Settings],
) -> None:
    settings = make_livekit_settings(sip_trunk_name="resume-agent-test")
    first = await setup(settings)
    second = await setup(settings.model_copy(update={"sip_numbers": ["+15550100", "+15550101"]}))
    assert first == second
    assert settings.livekit_url
    lk = api.LiveKitAPI(settings.livekit_url.replace("ws://", "http://"), API_KEY, API_SECRET)
    try:
        trunks = [
            t
            for t in (await lk.sip.list_inbound_trunk(api.ListSIPInboundTrunkRequest())).items
            if t.name == "resume-agent-test"
        ]
        rules = [
            r
            for r in (await lk.sip.list_dispatch_rule(api.ListSIPDispatchRuleRequest())).items
            if r.trunk_ids == [first[0]]
        ]
    finally:
        await lk.aclose()
    assert len(trunks) == 1 and list(trunks[0].numbers) == ["+15550100", "+15550101"]
    assert list(trunks[0].allowed_addresses) == ["127.0.0.1"]
    assert len(rules) == 1
    assert rules[0].rule.dispatch_rule_individual.room_prefix == ROOM_PREFIX
    assert list(rules[0].trunk_ids) == [first[0]]  # never a catch-all rule
