"""Phone calls over SIP answered by the agent itself: a PJSIP endpoint in the agent process."""
