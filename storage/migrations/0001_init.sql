-- Initial schema: owners, keys, sessions, conversations, resume content, analytics.
CREATE TABLE owners (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL,
    email       text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    resume_version bigint NOT NULL DEFAULT 0,
    resume      jsonb
);

CREATE TABLE api_keys (
    id            bigserial PRIMARY KEY,
    owner_id      bigint NOT NULL REFERENCES owners(id) ON DELETE CASCADE,
    prefix        text NOT NULL UNIQUE,
    key_hash      text NOT NULL,
    label         text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz
);

CREATE TABLE sessions (
    id           uuid PRIMARY KEY,
    owner_id     bigint NOT NULL REFERENCES owners(id) ON DELETE CASCADE,
    channel      text NOT NULL CHECK (channel IN ('web', 'phone', 'text', 'livekit')),
    started_at   timestamptz NOT NULL DEFAULT now(),
    last_active  timestamptz NOT NULL DEFAULT now(),
    ended_at     timestamptz,
    caller       jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX sessions_owner_started ON sessions (owner_id, started_at DESC);

CREATE TABLE conversations (
    id          bigserial PRIMARY KEY,
    session_id  uuid NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    role        text NOT NULL CHECK (role IN ('user', 'assistant')),
    text        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    latency_ms  double precision,
    latency     jsonb
);
CREATE INDEX conversations_session ON conversations (session_id, id);

CREATE TABLE content (
    id            text NOT NULL,
    owner_id      bigint NOT NULL REFERENCES owners(id) ON DELETE CASCADE,
    kind          text NOT NULL,
    title         text NOT NULL,
    description   text NOT NULL DEFAULT '',
    technologies  text[] NOT NULL DEFAULT '{}',
    start_date    date,
    end_date      date,
    body          jsonb NOT NULL,
    -- Filled on insert: array_to_string is not immutable, so it cannot be a generated column.
    search        tsvector NOT NULL,
    PRIMARY KEY (owner_id, id)
);
CREATE INDEX content_search ON content USING gin (search);
CREATE INDEX content_technologies ON content USING gin (technologies);
CREATE INDEX content_dates ON content (owner_id, start_date, end_date);

CREATE TABLE analytics (
    id           bigserial PRIMARY KEY,
    session_id   uuid REFERENCES sessions(id) ON DELETE SET NULL,
    query        text NOT NULL,
    intent       text NOT NULL,
    item_ids     text[] NOT NULL DEFAULT '{}',
    refused      boolean NOT NULL DEFAULT false,
    source       text NOT NULL DEFAULT 'engine',
    response_ms  double precision NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX analytics_created ON analytics (created_at);
