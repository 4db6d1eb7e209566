-- Calls answered by the agent's own SIP endpoint (SIP_PORT) are sessions of channel 'sip'.
ALTER TABLE sessions DROP CONSTRAINT IF EXISTS sessions_channel_check;
ALTER TABLE sessions ADD CONSTRAINT sessions_channel_check
    CHECK (channel IN ('web', 'phone', 'text', 'livekit', 'sip'));
