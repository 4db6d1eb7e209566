"""sipp with its own media: it plays a spoken question from a pcap (Piper speech as G.711 RTP)
and tcpdump captures the call's RTP both ways; the agent's answer, as the caller received it,
is re-transcribed and names the right project."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from pipeline.models import SpeechModels
from pipeline.stt import LocalWhisper, vocabulary_prompt
from signaling.background_server import LiveServer
from tests.sip.conftest import sip_target
from tests.sip.pcap import Capture, read_rtp_pcap, write_rtp_pcap
from tests.sip.rtp import RATE, loud, to_8k, to_16k
from tests.sip.sipp import run_sipp, scenario
from tests.voice_fixtures import speech, wait_for_no_calls

LEAD_S = 7.0  # silence before the question: the greeting plays meanwhile
LISTEN_AFTER_S = 12.0


async def test_question_played_from_pcap_is_answered(
    sip_service: LiveServer, models: SpeechModels, tmp_path: Path
) -> None:
    question = to_8k(speech(models, "Which projects used Rust?"))
    silence = np.zeros(int(RATE * LEAD_S), dtype=np.int16)
    # Silence after the question too: a phone's RTP does not stop while it listens.
    listening = np.zeros(int(RATE * LISTEN_AFTER_S), dtype=np.int16)
    audio = np.concatenate([silence, question, listening])
    write_rtp_pcap(tmp_path / "question.pcap", audio)
    listen_ms = int(len(audio) / RATE * 1000) + 500
    calls = scenario("play_question.xml", tmp_path, pcap=tmp_path / "question.pcap", listen_ms=listen_ms)

    settings = sip_service.app.state.ctx.settings
    first, last = settings.sip_rtp_port_start, settings.sip_rtp_port_start + settings.sip_rtp_port_range
    capture = tmp_path / "call.pcap"
    async with Capture(capture, f"udp and portrange {first}-{last}"):
        run = await run_sipp(sip_target(sip_service), tmp_path, scenario_file=calls, timeout_s=90)
    assert run.returncode == 0, run.stdout[-2000:] + run.errors

    packets = read_rtp_pcap(capture)
    agent = [p for p in packets if first <= p.src_port <= last]
    caller = [p for p in packets if first <= p.dst_port <= last]
    spoken = [p.at for p in caller if loud(p.pcm)]
    assert agent and spoken, (len(agent), len(caller))
    asked = spoken[-1]
    heard = LocalWhisper(
        models.whisper, vocabulary_prompt(sip_service.app.state.ctx.resume.cached_engine.resume)
    )
    answer = heard.transcribe(to_16k(np.concatenate([p.pcm for p in agent if p.at > asked])))
    assert "jitterbu" in re.sub(r"[^a-z]", "", answer.lower()), answer
    await wait_for_no_calls(sip_service)
