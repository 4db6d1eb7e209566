// The owner's dashboard: plain browser APIs, no build step.
// The owner key lives in sessionStorage (this tab only) and goes out as a Bearer header to
// /api/calls, /api/analytics and /api/resume; recordings play from the expiring links those give.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { key: sessionStorage.getItem("ownerKey"), cursor: null, filters: {}, selected: null };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

function notify(text, kind = "error") {
  const n = $("notice");
  n.textContent = text;
  n.className = "notice " + kind;
  n.hidden = !text;
}

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error && body.error.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function api(path, options = {}) {
  const headers = { ...(options.headers || {}), Authorization: `Bearer ${state.key}` };
  const response = await fetch(path, { ...options, headers });
  if (response.status === 204) return null;
  let body = null;
  try { body = await response.json(); } catch { /* not JSON */ }
  if (response.status === 401) {
    signOut("The key was refused: it is unknown or has been revoked. Sign in with a live owner key.");
    throw new ApiError(401, body);
  }
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

// --- formatting ----------------------------------------------------------------------------

const when = (iso) => new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
function duration(call) {
  if (!call.ended_at) return "ongoing";
  const s = Math.max(0, Math.round((new Date(call.ended_at) - new Date(call.started_at)) / 1000));
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}
const money = (usd) => (usd ? `$${usd < 0.01 ? usd.toFixed(4) : usd.toFixed(2)}` : "$0");

// --- sign in -------------------------------------------------------------------------------

function showSignedIn(on) {
  $("signin").hidden = on;
  $("nav").hidden = !on;
  if (!on) for (const v of document.querySelectorAll(".view")) v.hidden = true;
}

function signOut(message) {
  state.key = null;
  sessionStorage.removeItem("ownerKey");
  showSignedIn(false);
  if (message) notify(message);
}

$("signin-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  notify("");
  state.key = $("key").value.trim();
  try {
    await api("/api/calls?limit=1");
  } catch (err) {
    if (err.status !== 401) notify(`Could not sign in: ${err.message}`);
    return;
  }
  sessionStorage.setItem("ownerKey", state.key);
  $("key").value = "";
  start();
});
$("signout").addEventListener("click", () => signOut(""));

// --- navigation ----------------------------------------------------------------------------

function show(view) {
  for (const b of document.querySelectorAll("#nav [data-view]")) {
    if (b.dataset.view === view) b.setAttribute("aria-current", "page"); else b.removeAttribute("aria-current");
  }
  for (const v of document.querySelectorAll(".view")) v.hidden = v.id !== `view-${view}`;
  notify("");
  const load = { calls: () => loadCalls(true), analytics: loadAnalytics, resume: loadResume }[view];
  load().catch((err) => err.status !== 401 && notify(`Could not load ${view}: ${err.message}`));
}
for (const b of document.querySelectorAll("#nav [data-view]")) b.addEventListener("click", () => show(b.dataset.view));

// --- calls ---------------------------------------------------------------------------------

$("filters").addEventListener("submit", (e) => {
  e.preventDefault();
  const since = $("since").value;
  state.filters = { channel: $("channel").value, since: since ? new Date(since + "T00:00:00").toISOString() : "" };
  loadCalls(true).catch((err) => err.status !== 401 && notify(`Could not load calls: ${err.message}`));
});
$("more").addEventListener("click", () => loadCalls(false).catch((err) => notify(err.message)));

function callRow(c) {
  const caller = c.caller || (c.channel === "text" ? "typed" : "unknown caller");
  return el("li", {},
    el("button", { type: "button", class: "call-row", "data-session": c.session_id, onclick: () => loadDetail(c.session_id) },
      el("span", { class: "when", text: when(c.started_at) }),
      el("span", { class: `badge ${c.channel}`, text: c.channel }),
      el("span", { class: "caller", text: caller }),
      el("span", { class: "meta", text: `${c.turns} turns · ${duration(c)}${c.end_reason ? " · " + c.end_reason : ""} · ${money(c.cost_usd)}` })));
}

async function loadCalls(reset) {
  if (reset) { state.cursor = null; $("calls").replaceChildren(); }
  const params = new URLSearchParams({ limit: "50" });
  for (const [k, v] of Object.entries(state.filters)) if (v) params.set(k, v);
  if (state.cursor) params.set("cursor", state.cursor);
  const page = await api(`/api/calls?${params}`);
  $("calls").append(...page.calls.map(callRow));
  state.cursor = page.next_cursor;
  $("more").hidden = !page.next_cursor;
  $("calls-empty").hidden = $("calls").children.length > 0;
}

function usageLine(call) {
  const u = call.usage;
  return `audio ${u.audio_in_s.toFixed(0)} s in / ${u.audio_out_s.toFixed(0)} s out · STT ${u.stt_s.toFixed(1)} s · `
    + `TTS ${u.tts_chars} chars · LLM ${u.llm_tokens_in}/${u.llm_tokens_out} tokens · ${money(call.cost_usd)}`;
}

function turnItem(t) {
  const who = t.role === "user" ? "Caller" : "Agent";
  const audio = t.audio_url
    ? el("audio", { controls: true, preload: "metadata", src: t.audio_url, "aria-label": `${who}'s audio: ${t.text.slice(0, 60)}` })
    : null;
  const latency = t.latency && t.latency.total_ms !== undefined ? `${Math.round(t.latency.total_ms)} ms to first audio` : null;
  const items = t.items.length
    ? el("p", { class: "items" }, ...t.items.map((i) => el("span", { class: "chip", text: i.title || i.id })))
    : null;
  return el("li", { class: `turn ${t.role}` },
    el("p", { class: "who", text: `${who} · ${new Date(t.created_at).toLocaleTimeString()}${latency ? " · " + latency : ""}` }),
    el("p", { class: "text", text: t.text }), items, audio);
}

async function loadDetail(id) {
  state.selected = id;
  for (const b of document.querySelectorAll(".call-row")) b.classList.toggle("selected", b.dataset.session === id);
  const box = $("detail");
  box.hidden = false;
  box.replaceChildren(el("p", { class: "muted", text: "Loading the call…" }));
  const call = await api(`/api/calls/${id}`);
  box.replaceChildren(...[
    el("header", {},
      el("h3", { text: `${call.channel} call · ${call.caller || "unknown caller"}` }),
      el("button", { type: "button", class: "danger", onclick: () => erase(call.session_id) }, "Delete call")),
    el("p", { class: "muted", text: `${when(call.started_at)} · ${duration(call)}${call.end_reason ? " · ended: " + call.end_reason : ""}` }),
    el("p", { class: "muted", text: usageLine(call) }),
    call.recorded ? null : el("p", { class: "muted", text: "No recordings for this call." }),
    el("ol", { class: "transcript", "aria-label": "Transcript" }, ...call.transcript.map(turnItem)),
  ].filter(Boolean));
  box.scrollIntoView({ block: "nearest" });
}

async function erase(id) {
  if (!confirm("Delete this call, its transcript and its recordings? This cannot be undone.")) return;
  try {
    await api(`/api/calls/${id}`, { method: "DELETE" });
  } catch (err) {
    if (err.status !== 401) notify(`Could not delete: ${err.message}`);
    return;
  }
  $("detail").hidden = true;
  notify("The call was deleted.", "ok");
  await loadCalls(true);
}

// --- analytics -----------------------------------------------------------------------------

function hbars(container, rows) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  container.replaceChildren(rows.length
    ? el("ul", { class: "hbars" }, ...rows.map((r) => el("li", {},
        el("span", { class: "label", text: r.label }),
        el("span", { class: "bar", style: `width:${(100 * r.value) / max}%`, "aria-hidden": "true" }),
        el("span", { class: "value", text: String(r.value) }))))
    : el("p", { class: "muted", text: "Nothing yet." }));
}

function lastDays(days, n) {
  // Every day of the window, with the days without calls as zeros, so the chart keeps its scale.
  const byDay = new Map(days.map((d) => [d.day, d]));
  const out = [];
  for (let i = n - 1; i >= 0; i--) {
    const day = new Date(Date.now() - i * 86400000).toISOString().slice(0, 10);
    out.push(byDay.get(day) || { day, calls: 0, by_channel: {} });
  }
  return out;
}

function dayChart(container, calls) {
  if (!calls.length) { container.replaceChildren(el("p", { class: "muted", text: "No calls yet." })); return; }
  const days = lastDays(calls, 30);
  const ns = "http://www.w3.org/2000/svg";
  const w = 320, h = 140, pad = 18, max = Math.max(1, ...days.map((d) => d.calls));
  const bw = (w - pad) / days.length;
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", days.map((d) => `${d.day}: ${d.calls} calls`).join("; "));
  days.forEach((d, i) => {
    const bh = ((h - 2 * pad) * d.calls) / max;
    const rect = document.createElementNS(ns, "rect");
    Object.entries({ x: pad + i * bw + 2, y: h - pad - bh, width: Math.max(2, bw - 4), height: bh, class: "daybar" })
      .forEach(([k, v]) => rect.setAttribute(k, v));
    const title = document.createElementNS(ns, "title");
    title.textContent = `${d.day}: ${d.calls} calls (${Object.entries(d.by_channel).map(([c, n]) => `${c} ${n}`).join(", ")})`;
    rect.appendChild(title);
    svg.appendChild(rect);
    if (i % 7 === (days.length - 1) % 7) {
      const label = document.createElementNS(ns, "text");
      const anchor = i === days.length - 1 ? "end" : "middle";
      const x = i === days.length - 1 ? w : pad + i * bw + bw / 2;
      Object.entries({ x, y: h - 4, "text-anchor": anchor, class: "axis" }).forEach(([k, v]) => label.setAttribute(k, v));
      label.textContent = d.day.slice(5);
      svg.appendChild(label);
    }
  });
  const top = document.createElementNS(ns, "text");
  Object.entries({ x: 2, y: pad - 4, class: "axis" }).forEach(([k, v]) => top.setAttribute(k, v));
  top.textContent = `${max}`;
  svg.appendChild(top);
  container.replaceChildren(svg);
}

function latencyTable(lat) {
  const fmt = (v) => (v === null || v === undefined ? "–" : `${Math.round(v)} ms`);
  const row = (name, p) => el("tr", {}, el("th", { scope: "row", text: name }),
    el("td", { text: fmt(p.p50) }), el("td", { text: fmt(p.p90) }), el("td", { text: fmt(p.p99) }), el("td", { text: String(p.count) }));
  return el("table", { class: "latency" },
    el("thead", {}, el("tr", {}, el("th", { text: "" }), el("th", { text: "p50" }), el("th", { text: "p90" }), el("th", { text: "p99" }), el("th", { text: "n" }))),
    el("tbody", {}, row("Voice (speech end → first audio)", lat.voice_ms), row("Answer compute", lat.answer_ms)));
}

async function loadAnalytics() {
  const a = await api("/api/analytics");
  dayChart($("chart-days"), a.calls_per_day);
  $("latency").replaceChildren(latencyTable(a.latency),
    el("p", { class: "muted", text: `${a.calls} calls, ${a.questions} questions, ${money(a.cost_usd)} in all.` }));
  hbars($("chart-top"), a.top_questions.map((q) => ({ label: q.question, value: q.count })));
  hbars($("chart-intents"), a.intents.map((i) => ({ label: i.intent, value: i.count })));
  $("unanswered").replaceChildren(...(a.unanswered.length
    ? a.unanswered.map((q) => el("li", {}, el("span", { text: q.question }), el("span", { class: "muted", text: ` ×${q.count}, last ${when(q.last_asked)}` })))
    : [el("li", { class: "muted", text: "Every question so far had an answer." })]));
}

// --- resume --------------------------------------------------------------------------------

async function loadResume() {
  const r = await api("/api/resume");
  const p = r.resume.profile;
  $("resume-summary").textContent = `${p.name}${p.title ? ", " + p.title : ""}: version ${r.version}, ${r.items} items.`;
}

function errorDetails(body) {
  const details = body && body.error && body.error.details;
  if (!details) return null;
  const list = Array.isArray(details) ? details : [details];
  return el("ul", { class: "details" }, ...list.map((d) => el("li", {
    text: typeof d === "object" && d !== null && "message" in d
      ? `${d.field ? d.field + ": " : ""}${d.message}`
      : typeof d === "string" ? d : JSON.stringify(d),
  })));
}

$("upload").addEventListener("submit", async (e) => {
  e.preventDefault();
  const out = $("upload-result");
  const file = $("resume-file").files[0];
  if (!file) return;
  out.replaceChildren(el("p", { class: "muted", text: `Checking ${file.name}…` }));
  try {
    const body = await api("/api/resume", { method: "PUT", headers: { "Content-Type": "application/json" }, body: await file.text() });
    out.replaceChildren(el("p", { class: "ok", text: `Loaded: version ${body.version}, ${body.items} items.` }));
    await loadResume();
  } catch (err) {
    if (err.status === 401) return;
    out.replaceChildren(el("div", { class: "upload-error", role: "alert" },
      el("p", { text: `The resume was not loaded: ${err.message}` }), errorDetails(err.body)));
  }
});

// --- start ---------------------------------------------------------------------------------

function start() {
  showSignedIn(true);
  show("calls");
}

if (state.key) start(); else showSignedIn(false);
