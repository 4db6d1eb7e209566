# The two front-door commands. Both create or reuse .venv/ through scripts/setup.sh.
.PHONY: run test lint bench lock

run:
	@scripts/setup.sh
	.venv/bin/resume-agent serve $(ARGS)

test:
	@scripts/setup.sh --test
	.venv/bin/python -m pytest $(ARGS)

lint:
	@scripts/setup.sh --test
	.venv/bin/ruff check .
	.venv/bin/mypy .

bench:
	@scripts/setup.sh --test
	.venv/bin/python -m bench.engine
	.venv/bin/python -m bench.query_endpoint
	.venv/bin/python -m bench.first_audio
	.venv/bin/python -m bench.voice_latency
	.venv/bin/python -m bench.livekit_latency
	.venv/bin/python -m bench.voice_burst
	.venv/bin/python -m bench.phone_latency
	.venv/bin/python -m bench.voice_capacity
	.venv/bin/python -m bench.memory
	.venv/bin/python -m bench.dashboard_load
	.venv/bin/python -m bench.stt_accuracy
	.venv/bin/python -m bench.turn_decisions
	.venv/bin/python -m bench.turn_pauses
	.venv/bin/python -m bench.recovery

# Re-resolve the hashed locks after a change to pyproject.toml's dependencies (keeps the
# versions already locked where they still fit); UPGRADE=1 upgrades all, UPGRADE=name one.
lock:
	@scripts/lock.sh
