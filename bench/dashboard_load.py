"""How fast the owner's dashboard loads with 1,000 stored calls.

    .venv/bin/python -m bench.dashboard_load [--calls 1000] [--runs 7]

Seeds a fresh embedded database with `--calls` calls (web, phone and text, spread over 30 days,
3 questions each with their turns, analytics rows and recording rows), starts the service as
its own process on that data, then measures
  * the API: GET /api/calls (first page of 50), every page of all calls, GET /api/calls/{id},
    GET /api/analytics, next to GET /health in the same run as the reference;
  * the page in headless Chromium, signed in: navigation to the first 50 calls drawn, all calls
    listed (every "Load more"), the analytics view drawn; next to the visitor page's load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.machine import describe, percentile
from bench.voice_common import service
from config.settings import Settings
from storage.api_keys import create_key
from storage.connect import open_storage
from storage.content import ensure_owner
from tests.web.browser import Browser
from tools.resume_model import load_sample_resume

QUESTIONS = [
    ("Which projects used Rust?", "technology", "{proj-rust-jitter,proj-homelab}"),
    ("Where did Jordan study?", "education", "{}"),
    ("Did Jordan work at Google?", "unknown", "{}"),
    ("What does Jordan do at Sonora Labs?", "item", "{exp-sonora}"),
    ("When can Jordan start?", "availability", "{}"),
]

SEED = """
WITH s AS (
    INSERT INTO sessions (id, owner_id, channel, started_at, last_active, ended_at, caller, end_reason,
                          audio_in_s, audio_out_s, stt_s, tts_chars, cost_usd)
    SELECT gen_random_uuid(), $1, (ARRAY['web', 'phone', 'text', 'web'])[1 + g % 4],
           now() - (g * interval '43 minutes'), now() - (g * interval '43 minutes') + interval '2 minutes',
           now() - (g * interval '43 minutes') + interval '2 minutes',
           CASE WHEN g % 4 = 1
                THEN jsonb_build_object('number', '+1555' || lpad((g * 7919 % 10000000)::text, 7, '0'))
                ELSE jsonb_build_object('ip', '203.0.113.' || (g % 250)) END,
           'hang-up', 60 + g % 50, 30 + g % 20, 12 + g % 9, 400 + g % 300, (g % 7) * 0.001
    FROM generate_series(1, $2) AS g
    RETURNING id, started_at, channel
), q AS (
    SELECT s.id, s.started_at, s.channel, k,
           ($3::text[])[1 + (k + abs(hashtext(s.id::text))) % 5] AS question,
           ($4::text[])[1 + (k + abs(hashtext(s.id::text))) % 5] AS intent,
           ($5::text[])[1 + (k + abs(hashtext(s.id::text))) % 5]::text[] AS items
    FROM s, generate_series(0, 2) AS k
), t AS (
    INSERT INTO conversations (session_id, role, text, created_at, latency_ms, latency)
    SELECT id, r.role,
           CASE WHEN r.role = 'user' THEN question ELSE 'An answer from the resume about ' || question END,
           started_at + (k * 20 + r.n) * interval '1 second',
           CASE WHEN r.role = 'assistant' AND channel <> 'text' THEN 700 + (k * 37) % 400 END,
           CASE WHEN r.role = 'assistant' AND channel <> 'text'
                THEN jsonb_build_object('total_ms', 700 + (k * 37) % 400, 'stt_ms', 300) END
    FROM q, (VALUES ('user', 0), ('assistant', 5)) AS r(role, n)
), a AS (
    INSERT INTO call_audio (session_id, role, text, key, duration_s, created_at)
    SELECT id, 'user', question, 'transcriptions/' || id || '/' || k || '.wav', 2.5, started_at
    FROM q WHERE channel <> 'text'
)
INSERT INTO analytics (session_id, query, intent, item_ids, refused, source, response_ms, created_at)
SELECT id, question, intent, items, false, 'engine', 5 + k, started_at + k * interval '20 seconds' FROM q
"""


async def seed(data_dir: Path, calls: int) -> tuple[str, str]:
    """Seed `calls` calls; returns an owner key and one call's id."""
    storage = await open_storage(Settings(_env_file=None, data_dir=data_dir))  # type: ignore[call-arg]
    try:
        async with storage.pool.acquire() as conn:
            owner_id, _, _ = await ensure_owner(conn, load_sample_resume())
            await conn.execute(
                SEED,
                owner_id,
                calls,
                [q for q, _, _ in QUESTIONS],
                [i for _, i, _ in QUESTIONS],
                [items for _, _, items in QUESTIONS],
            )
            key = await create_key(conn, owner_id, "bench")
            some_call = str(await conn.fetchval("SELECT id FROM sessions WHERE channel = 'web' LIMIT 1"))
        return key, some_call
    finally:
        await storage.close()


def _timed(client: httpx.Client, url: str, n: int, **kwargs: Any) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        response = client.get(url, **kwargs)
        out.append((time.perf_counter() - t0) * 1000)
        response.raise_for_status()
    return out


def _stats(values: list[float], reference: list[float], name: str) -> dict[str, float]:
    """Median and p90, and the median as a multiple of the reference's median in the same run."""
    median = statistics.median(values)
    return {
        "p50_ms": round(median, 1),
        "p90_ms": round(percentile(values, 0.9), 1),
        "n": len(values),
        name: round(median / statistics.median(reference), 1),
    }


def api_timings(base: str, key: str, call_id: str, runs: int) -> dict[str, Any]:
    auth = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=base, timeout=30) as client:
        _timed(client, "/api/calls", 3, headers=auth)  # warm-up
        health = _timed(client, "/health", runs * 3)
        first_page = _timed(client, "/api/calls?limit=50", runs * 3, headers=auth)
        detail = _timed(client, f"/api/calls/{call_id}", runs * 3, headers=auth)
        analytics = _timed(client, "/api/analytics", runs * 3, headers=auth)
        all_pages = []
        for _ in range(runs):
            t0 = time.perf_counter()
            cursor, listed = None, 0
            while True:
                params = {"limit": "50", **({"cursor": cursor} if cursor else {})}
                page = client.get("/api/calls", params=params, headers=auth).json()
                listed += len(page["calls"])
                cursor = page["next_cursor"]
                if not cursor:
                    break
            all_pages.append((time.perf_counter() - t0) * 1000)
    return {
        "health (reference)": _stats(health, health, "x_health"),
        "calls first page (50)": _stats(first_page, health, "x_health"),
        f"calls all pages ({listed})": _stats(all_pages, health, "x_health"),
        "call detail": _stats(detail, health, "x_health"),
        "analytics": _stats(analytics, health, "x_health"),
    }


# Recorded in the page from its first script on (ms since navigation): when the dashboard's
# first 50 calls are drawn, and when the visitor page's suggestions are.
MARK_ROWS = (
    "sessionStorage.setItem('ownerKey', %s);"
    "new MutationObserver((_, o) => {"
    " if (document.querySelectorAll('.call-row').length >= 50) {"
    "  window.rowsAt = performance.now(); o.disconnect(); }"
    " else if (document.querySelector('#suggestions button')) {"
    "  window.suggestAt = performance.now(); o.disconnect(); }"
    "}).observe(document, {childList: true, subtree: true});"
)
UNTIL = (
    "(async () => { const t0 = performance.now(); %s;"
    " await new Promise(r => { const check = () => (%s) ? r() : setTimeout(check, 5); check(); });"
    " return performance.now() - t0; })()"
)
ALL_ROWS = (
    "(async () => { const t0 = performance.now(); const more = document.getElementById('more');"
    " while (!more.hidden) { const n = document.querySelectorAll('.call-row').length; more.click();"
    "  await new Promise(r => { const c = () => document.querySelectorAll('.call-row').length > n"
    "   ? r() : setTimeout(c, 5); c(); }); }"
    " return [performance.now() - t0, document.querySelectorAll('.call-row').length]; })()"
)


async def page_timings(base: str, key: str, runs: int) -> dict[str, Any]:
    browser = Browser()
    await browser.start()
    try:
        await browser.send("Page.addScriptToEvaluateOnNewDocument", source=MARK_ROWS % json.dumps(key))
        first, every, charts, visitor = [], [], [], []
        listed = 0
        for i in range(runs + 1):  # the first load warms the browser's cache: not counted
            await browser.goto(base + "/dashboard/", ready="window.rowsAt !== undefined")
            rows_at = await browser.evaluate("window.rowsAt")
            all_ms, listed = await browser.evaluate(ALL_ROWS)
            chart_ms = await browser.evaluate(
                UNTIL
                % (
                    "document.querySelector(\"#nav [data-view='analytics']\").click()",
                    "document.querySelector('#chart-days svg') && document.querySelector('#chart-top li')",
                )
            )
            await browser.goto(base + "/", ready="window.suggestAt !== undefined")
            visitor_ms = await browser.evaluate("window.suggestAt")
            if i:
                first.append(rows_at)
                every.append(all_ms)
                charts.append(chart_ms)
                visitor.append(visitor_ms)
        x = "x_visitor_page"
        return {
            "visitor page with its profile (reference)": _stats(visitor, visitor, x),
            "dashboard: navigation to first 50 calls drawn": _stats(first, visitor, x),
            f"dashboard: all {listed} calls listed (Load more)": _stats(every, visitor, x),
            "dashboard: analytics view drawn": _stats(charts, visitor, x),
        }
    finally:
        await browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as tmp:
        key, call_id = asyncio.run(seed(Path(tmp), args.calls))
        with service(DATA_DIR=tmp, VOICE_PRELOAD="false") as base:
            api = api_timings(base, key, call_id, args.runs)
            page = asyncio.run(page_timings(base, key, args.runs))
    result = {"machine": describe(), "calls": args.calls, "runs": args.runs, "api": api, "page": page}
    (Path(__file__).parent / "results" / "dashboard_load.json").write_text(
        json.dumps(result, indent=2) + "\n"
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
