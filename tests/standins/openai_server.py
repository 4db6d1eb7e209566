"""A local stand-in for an OpenAI-compatible chat API (Groq's and OpenAI's shape), for tests.

This machine cannot reach the cloud APIs. The stand-in speaks the same HTTP protocol and
follows a script: each request is answered by the next step's function of the request body.
It records every request so tests can check what the client sent (tools, tool results).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from tests.standins.app_server import StandInServer

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


class OpenAIStandIn(StandInServer):
    def __init__(self) -> None:
        self.script: list[Step] = []
        self.requests: list[dict[str, Any]] = []
        super().__init__()
        self.app.post("/v1/chat/completions")(self._chat)

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
