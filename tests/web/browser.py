"""Headless Chromium driven over the Chrome DevTools Protocol (plain websockets, no Playwright)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import websockets

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


class Browser:
    """One headless Chromium with a fake microphone playing `audio_file` (a 16-bit WAV)."""

    def __init__(self, audio_file: Path | None = None, fake_ui: bool = True) -> None:
        self._profile = tempfile.mkdtemp(prefix="chromium-")
        args = [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--use-fake-device-for-media-stream",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--autoplay-policy=no-user-gesture-required",
            f"--user-data-dir={self._profile}",
            "--remote-debugging-port=0",
            "about:blank",
        ]
        if fake_ui:
            args.insert(2, "--use-fake-ui-for-media-stream")
        if audio_file is not None:
            # %noloop: play the file once, then silence (Chromium loops it by default).
            args.insert(2, f"--use-file-for-fake-audio-capture={audio_file}%noloop")
        self._process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._ws: Any = None
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._reader: asyncio.Task[None] | None = None

    async def start(self, timeout_s: float = 30.0) -> None:
        port_file = Path(self._profile) / "DevToolsActivePort"
        deadline = time.time() + timeout_s
        while not port_file.exists() or not port_file.read_text().strip():
            if time.time() > deadline or self._process.poll() is not None:
                raise RuntimeError("chromium did not start")
            await asyncio.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        async with httpx.AsyncClient() as http:
            targets = (await http.get(f"http://127.0.0.1:{port}/json/list")).json()
        page = next(t for t in targets if t["type"] == "page")
        self._ws = await websockets.connect(page["webSocketDebuggerUrl"], max_size=None)
        self._reader = asyncio.create_task(self._read())
        await self.send("Page.enable")
        await self.send("Runtime.enable")

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed, asyncio.CancelledError):
            async for raw in self._ws:
                message = json.loads(raw)
                future = self._pending.pop(message.get("id", -1), None)
                if future is not None and not future.done():
                    future.set_result(message)

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        call_id = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[call_id] = future
        await self._ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        message = await asyncio.wait_for(future, timeout=30)
        if "error" in message:
            raise RuntimeError(f"{method}: {message['error']}")
        return message.get("result", {})

    async def evaluate(self, expression: str) -> Any:
        result = await self.send(
            "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"page error: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def goto(self, url: str, ready: str = "!!document.getElementById('call')") -> None:
        await self.send("Page.navigate", url=url)
        await self.wait_for(f"document.readyState === 'complete' && ({ready})")

    async def set_viewport(self, width: int, height: int, mobile: bool = False) -> None:
        await self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=mobile,
        )

    async def screenshot(self, path: Path, full_page: bool = True) -> Path:
        """A PNG of the page (the whole page, not only the viewport, by default)."""
        params: dict[str, Any] = {"format": "png", "captureBeyondViewport": full_page}
        if full_page:
            size = await self.evaluate(
                "({w: document.documentElement.clientWidth, h: document.documentElement.scrollHeight})"
            )
            params["clip"] = {"x": 0, "y": 0, "width": size["w"], "height": size["h"], "scale": 1}
        data = (await self.send("Page.captureScreenshot", **params))["data"]
        png = base64.b64decode(data)

        def _write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(png)

        await asyncio.to_thread(_write)
        return path

    async def set_files(self, selector: str, *files: Path) -> None:
        """Choose files in an <input type=file>, as a user picking them would (change event fires)."""
        root = (await self.send("DOM.getDocument"))["root"]["nodeId"]
        node = (await self.send("DOM.querySelector", nodeId=root, selector=selector))["nodeId"]
        await self.send("DOM.setFileInputFiles", files=[str(f) for f in files], nodeId=node)

    async def wait_for(self, expression: str, timeout_s: float = 60.0) -> Any:
        deadline = time.time() + timeout_s
        while True:
            value = await self.evaluate(expression)
            if value:
                return value
            if time.time() > deadline:
                raise TimeoutError(f"never true in the page: {expression}")
            await asyncio.sleep(0.2)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
        self._process.terminate()
        try:
            await asyncio.to_thread(self._process.wait, 10)
        except subprocess.TimeoutExpired:
            self._process.kill()
        shutil.rmtree(self._profile, ignore_errors=True)
