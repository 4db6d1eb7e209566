"""A local stand-in for an OpenAI-compatible chat API (Groq's and OpenAI's shape), for tests.

This machine cannot reach the cloud APIs. The stand-in speaks the same HTTP protocol and
follows a script: each request is answered by the next step's function of the request body.
It records every request so tests can check what the client sent (tools, tool results).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from signaling.background_server import free_port

Step = Callable[[dict[str, Any]], dict[str, Any] | JSONResponse]


def tool_call(name: str, arguments: dict[str, Any]) -> Step:
    def step(_: dict[str, Any]) -> dict[str, Any]:
        call = {
            "id": f"call_{uuid.uuid4().hex[:8]}",
            "type": "function",
            "function": {"name": name, "arguments": json.dumps(arguments)},
        }
        return _completion({"role": "assistant", "content": None, "tool_calls": [call]}, "tool_calls")

    return step


def reply(text_from: Callable[[dict[str, Any]], str]) -> Step:
    def step(body: dict[str, Any]) -> dict[str, Any]:
        return _completion({"role": "assistant", "content": text_from(body)}, "stop")

    return step


def fail(status: int = 500) -> Step:
    def step(_: dict[str, Any]) -> JSONResponse:
        return JSONResponse({"error": {"message": "stand-in failure", "type": "server_error"}}, status)

    return step


def stall(seconds: float) -> Step:
    def step(_: dict[str, Any]) -> dict[str, Any]:
        time.sleep(seconds)
        return _completion({"role": "assistant", "content": "too late"}, "stop")

    return step


def _completion(message: dict[str, Any], finish: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "stand-in",
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


class OpenAIStandIn:
    def __init__(self) -> None:
        self.script: list[Step] = []
        self.requests: list[dict[str, Any]] = []
        self.port = free_port()
        self.app = FastAPI()
        self.app.post("/v1/chat/completions")(self._chat)
        self._server = uvicorn.Server(
            uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="error")
        )
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def _chat(self, request: Request) -> Any:
        body = await request.json()
        self.requests.append(body)
        if not self.script:
            return JSONResponse({"error": {"message": "stand-in script exhausted"}}, 500)
        step = self.script.pop(0)
        result = await asyncio.to_thread(step, body)
        if isinstance(result, dict) and "usage" in result:
            # Token counts that grow with what was sent and said (about 4 characters a token).
            said = json.dumps(result["choices"][0]["message"])
            prompt, completion = len(json.dumps(body["messages"])) // 4, len(said) // 4
            result["usage"] = {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            }
        return result

    def start(self) -> OpenAIStandIn:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("stand-in server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)
