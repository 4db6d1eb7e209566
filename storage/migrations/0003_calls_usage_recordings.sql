-- The owner's side: how each call ended, what it used and cost, and its recorded audio.
ALTER TABLE sessions
    ADD COLUMN end_reason     text,
    ADD COLUMN audio_in_s     double precision NOT NULL DEFAULT 0,
    ADD COLUMN audio_out_s    double precision NOT NULL DEFAULT 0,
    ADD COLUMN stt_s          double precision NOT NULL DEFAULT 0,
    ADD COLUMN tts_chars      bigint NOT NULL DEFAULT 0,
    ADD COLUMN llm_tokens_in  bigint NOT NULL DEFAULT 0,
    ADD COLUMN llm_tokens_out bigint NOT NULL DEFAULT 0,
    ADD COLUMN cost_usd       double precision NOT NULL DEFAULT 0;

-- Keyset pagination of the calls list: newest first, the id breaks ties.
CREATE INDEX sessions_owner_started_id ON sessions (owner_id, started_at DESC, id DESC);

-- One row per recorded voice turn (caller's or agent's); the audio itself is in the audio store.
-- `text` is what was heard or said, which links the audio to its turn in `conversations`.
CREATE TABLE call_audio (
    id          bigserial PRIMARY KEY,
    session_id  uuid NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    role        text NOT NULL CHECK (role IN ('user', 'assistant')),
    text        text NOT NULL,
    key         text NOT NULL UNIQUE,
    duration_s  double precision NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX call_audio_session ON call_audio (session_id, id);
CREATE INDEX call_audio_created ON call_audio (created_at);

CREATE INDEX analytics_session ON analytics (session_id);
