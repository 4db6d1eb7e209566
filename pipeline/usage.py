"""Usage per call, measured where it happens, and exported to Prometheus as it grows.

An observer beside the pipeline (it never holds up a frame) counts
  * caller audio: every input audio frame the transport pushes (once, at its first push);
  * agent audio: every TTS audio frame handed to the output transport;
  * STT seconds: Pipecat's own usage metric (`STTUsageMetricsData`: the padded segment each
    transcription is sent);
  * TTS characters: the text of every `TTSTextFrame` the TTS pushes after synthesizing it
    (Pipecat's `TTSUsageMetricsData` misses `TTSSpeakFrame` lines in token-streaming mode);
  * LLM tokens: the API's `usage` field, which the answerer reports with every answer.
"""

from __future__ import annotations

from pipecat.frames.frames import InputAudioRawFrame, MetricsFrame, TTSAudioRawFrame, TTSTextFrame
from pipecat.metrics.metrics import LLMUsageMetricsData, STTUsageMetricsData
from pipecat.observers.base_observer import BaseObserver, FramePushed
from pipecat.transports.base_input import BaseInputTransport
from pipecat.transports.base_output import BaseOutputTransport
from prometheus_client import Counter

from pipeline.answer.llm import TokenCount
from pipeline.pricing import Usage

AUDIO_SECONDS = Counter(
    "resume_agent_usage_audio_seconds_total",
    "Call audio, by direction (in: caller, out: agent)",
    ["direction"],
)
STT_SECONDS = Counter("resume_agent_usage_stt_seconds_total", "Audio seconds sent to speech-to-text")
TTS_CHARS = Counter("resume_agent_usage_tts_characters_total", "Characters synthesized by text-to-speech")
LLM_TOKENS = Counter("resume_agent_usage_llm_tokens_total", "LLM tokens reported by the API", ["kind"])
COST = Counter("resume_agent_cost_usd_total", "Cost of calls and text sessions, USD, by channel", ["channel"])

_AUDIO_IN = AUDIO_SECONDS.labels("in")
_AUDIO_OUT = AUDIO_SECONDS.labels("out")
_TOKENS_IN = LLM_TOKENS.labels("input")
_TOKENS_OUT = LLM_TOKENS.labels("output")


def audio_seconds(frame: InputAudioRawFrame | TTSAudioRawFrame) -> float:
    if frame.sample_rate <= 0:
        return 0.0
    return len(frame.audio) / (2 * max(1, frame.num_channels) * frame.sample_rate)


def count_tokens(usage: Usage, tokens: TokenCount) -> None:
    usage.llm_tokens_in += tokens.input
    usage.llm_tokens_out += tokens.output
    _TOKENS_IN.inc(tokens.input)
    _TOKENS_OUT.inc(tokens.output)


class UsageMeter(BaseObserver):
    def __init__(self) -> None:
        super().__init__()
        self.usage = Usage()

    async def on_push_frame(self, data: FramePushed) -> None:
        frame = data.frame
        if isinstance(frame, InputAudioRawFrame):
            if data.first_push and isinstance(data.source, BaseInputTransport):
                seconds = audio_seconds(frame)
                self.usage.audio_in_s += seconds
                _AUDIO_IN.inc(seconds)
        elif isinstance(frame, TTSAudioRawFrame):
            if isinstance(data.destination, BaseOutputTransport):
                seconds = audio_seconds(frame)
                self.usage.audio_out_s += seconds
                _AUDIO_OUT.inc(seconds)
        elif isinstance(frame, TTSTextFrame):
            if data.first_push:
                self.usage.tts_chars += len(frame.text)
                TTS_CHARS.inc(len(frame.text))
        elif isinstance(frame, MetricsFrame) and data.first_push:
            for item in frame.data:
                self._metric(item)

    def _metric(self, item: object) -> None:
        if isinstance(item, STTUsageMetricsData):
            self.usage.stt_s += item.value.audio_seconds
            STT_SECONDS.inc(item.value.audio_seconds)
        elif isinstance(item, LLMUsageMetricsData):  # a Pipecat LLM service, should one be used
            count_tokens(self.usage, TokenCount(item.value.prompt_tokens, item.value.completion_tokens))

    def add_tokens(self, tokens: TokenCount) -> None:
        count_tokens(self.usage, tokens)
