-- Durable turns (docs/faults.md): every turn and analytics row carries the id it was given when
-- it happened, so a write replayed from the local journal lands exactly once; an agent turn is
-- stored when it starts playing and then marked completed or interrupted with what was heard.
-- Sessions name the process running them, so a reaper can end those of a process that died.
ALTER TABLE conversations
    ADD COLUMN uid    uuid,
    ADD COLUMN status text NOT NULL DEFAULT 'completed'
        CHECK (status IN ('speaking', 'completed', 'interrupted')),
    ADD COLUMN heard  text;
CREATE UNIQUE INDEX conversations_uid ON conversations (uid);

ALTER TABLE analytics ADD COLUMN uid uuid;
CREATE UNIQUE INDEX analytics_uid ON analytics (uid);

ALTER TABLE sessions ADD COLUMN worker text;
CREATE INDEX sessions_live_worker ON sessions (worker) WHERE ended_at IS NULL;
