"""The LLM path: an OpenAI-compatible chat model (Groq by default) calling the resume tools."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from openai import AsyncOpenAI

from tools.engine import EngineResult, ItemRef, ResumeEngine
from tools.llm_tools import TOOL_SCHEMAS, ResumeToolbox, items_from_tool_result, system_prompt
from tools.resume_model import item_title

log = logging.getLogger(__name__)

GROQ_BASE_URL = "https://api.groq.com/openai/v1"
MAX_TOOL_ROUNDS = 4


@dataclass
class TokenCount:
    """Tokens the API reported using (its `usage` field), summed over a turn's tool rounds."""

    input: int = 0
    output: int = 0


@dataclass(frozen=True)
class LLMConfig:
    base_url: str
    api_key: str
    model: str
    timeout_s: float


class LLMAnswerer:
    """One question in, one grounded answer out; the caller applies the timeout and fallback."""

    def __init__(self, config: LLMConfig) -> None:
        self.config = config
        # No client-side retries: a slow or failing LLM falls back to the engine at once.
        self._client = AsyncOpenAI(
            base_url=config.base_url, api_key=config.api_key, max_retries=0, timeout=config.timeout_s
        )

    async def answer(
        self,
        engine: ResumeEngine,
        text: str,
        history: list[tuple[str, str]],
        tokens: TokenCount | None = None,
    ) -> EngineResult:
        """The answer; `tokens` (if given) counts what each round used, even if a later one fails."""
        toolbox = ResumeToolbox(engine)
        refs = {item.id: ItemRef(item.id, kind, item_title(item)) for kind, item in engine.resume.items()}
        messages: list[dict[str, Any]] = [{"role": "system", "content": system_prompt(engine.resume)}]
        for question, reply in history[-4:]:
            messages += [{"role": "user", "content": question}, {"role": "assistant", "content": reply}]
        messages.append({"role": "user", "content": text})
        returned: dict[str, ItemRef] = {}
        for _ in range(MAX_TOOL_ROUNDS):
            response = await self._client.chat.completions.create(  # type: ignore[call-overload]
                model=self.config.model,
                messages=messages,
                tools=TOOL_SCHEMAS,
                tool_choice="auto",
                temperature=0.2,
                max_tokens=200,
            )
            if tokens is not None and response.usage is not None:
                tokens.input += response.usage.prompt_tokens or 0
                tokens.output += response.usage.completion_tokens or 0
            message = response.choices[0].message
            if not message.tool_calls:
                return _result(message.content or "", returned)
            messages.append(message.model_dump(exclude_none=True))
            for call in message.tool_calls:
                try:
                    arguments = json.loads(call.function.arguments or "{}")
                except json.JSONDecodeError:
                    arguments = None
                output = (
                    toolbox.call(call.function.name, arguments)
                    if isinstance(arguments, dict)
                    else {"error": "arguments must be a JSON object"}
                )
                for item_id in items_from_tool_result(output):
                    if item_id in refs:
                        returned[item_id] = refs[item_id]
                messages.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps(output)})
        raise RuntimeError("LLM did not answer within the tool-call budget")


def _result(answer: str, returned: dict[str, ItemRef]) -> EngineResult:
    answer = " ".join(answer.split())
    if not answer:
        raise RuntimeError("LLM returned an empty answer")
    lowered = answer.lower()
    # Items are what the tools returned and the answer names; if it names none, all it was shown.
    used = [ref for ref in returned.values() if ref.title.lower() in lowered]
    return EngineResult(answer=answer, intent="llm", refused=False, items=used or list(returned.values()))
