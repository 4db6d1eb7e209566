"""The frame pipeline and the services it is built from (speech, answers, transcripts, latency)."""
