// The visitor page: plain browser APIs, no build step.
// GET /api/profile fills the person and the suggested questions; RTCPeerConnection +
// fetch("/api/offer") make the call, whose data channel carries transcripts, latency, the
// agent's speaking state and captions (RTVI events), and typed questions; /api/query answers
// typed questions when no call is up, in the same session (also after hang-up).
"use strict";

const $ = (id) => document.getElementById(id);
const ui = {
  call: $("call"), hangup: $("hangup"), level: $("level"), state: $("state"), notice: $("notice"),
  transcript: $("transcript"), form: $("ask"), text: $("text"), send: $("send"), mute: $("mute"),
  muteLabel: $("mute-label"), agent: $("agent"), caption: $("caption"), recording: $("recording"),
  suggestions: $("suggestions"), name: $("name"), title: $("title"), summary: $("summary"),
  section: document.querySelector(".call"),
};

let call = null; // {pc, dc, mic, audioCtx, timers}
let session = JSON.parse(sessionStorage.getItem("session") || "null"); // {session_id, session_token}
let lastAgentLine = null;
let pending = null; // the "thinking" bubble of a question not yet answered

const STATES = {
  idle: "Not connected", connecting: "Connecting…", listening: "Listening",
  hearing: "Hearing you…", thinking: "Thinking…", speaking: "Speaking",
};

function setState(state) {
  ui.state.textContent = STATES[state];
  const shown = state === "hearing" ? "listening" : state;
  ui.state.dataset.state = shown;
  ui.section.dataset.state = shown;
}

function notify(text, kind = "error") {
  ui.notice.textContent = text;
  ui.notice.className = "notice " + kind;
  ui.notice.hidden = !text;
}

function keepSession(s) {
  session = { session_id: s.session_id, session_token: s.session_token };
  sessionStorage.setItem("session", JSON.stringify(session));
}

function addLine(role, text, extra = {}) {
  const li = document.createElement("li");
  li.className = role;
  li.textContent = text;
  if (extra.interrupted) li.classList.add("interrupted");
  if (pending && role === "assistant") { pending.replaceWith(li); pending = null; }
  else ui.transcript.appendChild(li);
  li.scrollIntoView({ block: "nearest" });
  if (role === "assistant") lastAgentLine = li;
  return li;
}

function addDivider(text) {
  const li = document.createElement("li");
  li.className = "divider";
  li.textContent = text;
  ui.transcript.appendChild(li);
}

function showPending() {
  clearPending();
  pending = document.createElement("li");
  pending.className = "assistant pending";
  pending.setAttribute("aria-label", "Finding the answer");
  pending.innerHTML = '<span class="dots">Finding the answer</span>';
  ui.transcript.appendChild(pending);
  pending.scrollIntoView({ block: "nearest" });
  ui.send.setAttribute("aria-busy", "true");
}

function clearPending() {
  if (pending) { pending.remove(); pending = null; }
  ui.send.removeAttribute("aria-busy");
}

function showLatency(m) {
  if (!lastAgentLine) return;
  const stages = ["stt_ms", "turn_ms", "answer_ms", "tts_ms"]
    .filter((k) => k in m).map((k) => `${k.replace("_ms", "")} ${Math.round(m[k])}`).join(", ");
  let span = lastAgentLine.querySelector(".latency");
  if (!span) { span = document.createElement("span"); span.className = "latency"; lastAgentLine.appendChild(span); }
  span.textContent = `⏱ ${Math.round(m.total_ms)} ms to first audio (${stages})`;
}

function caption(text, append = false) {
  ui.caption.textContent = append ? (ui.caption.textContent + " " + text).trim() : text;
  ui.caption.hidden = !ui.caption.textContent;
}

function onServerMessage(m) {
  if (m.type === "transcript") {
    if (m.role === "assistant") ui.send.removeAttribute("aria-busy");
    addLine(m.role, m.text, m);
  } else if (m.type === "latency") showLatency(m);
  else if (m.type === "interrupted" && lastAgentLine) lastAgentLine.classList.add("interrupted");
  else if (m.type === "call-ended") {
    notify(m.reason === "idle" ? "The call ended because it was quiet for a while." : "The call has ended.", "busy");
    hangUp();
  }
}

function onRtvi(msg) {
  if (!call) return;
  switch (msg.type) {
    case "user-started-speaking": setState("hearing"); break;
    case "user-stopped-speaking": setState("thinking"); break;
    case "bot-started-speaking": setState("speaking"); caption(""); break;
    case "bot-tts-text": if (msg.data && msg.data.text) caption(msg.data.text.trim(), true); break;
    case "bot-stopped-speaking": setState("listening"); break;
    case "bot-interrupted": caption(""); break;
    default: break;
  }
}

function onDataMessage(event) {
  let msg;
  try { msg = JSON.parse(event.data); } catch { return; }
  // Our messages travel as RTVI server messages: {label: "rtvi-ai", type: "server-message", data}.
  if (msg.type === "server-message" && msg.data) onServerMessage(msg.data);
  else if (msg.label === "rtvi-ai") onRtvi(msg);
}

function meter(stream) {
  const audioCtx = new AudioContext();
  const analyser = audioCtx.createAnalyser();
  analyser.fftSize = 512;
  audioCtx.createMediaStreamSource(stream).connect(analyser);
  const data = new Uint8Array(analyser.fftSize);
  const draw = () => {
    if (!call) { ui.level.style.width = "0"; return; }
    analyser.getByteTimeDomainData(data);
    let peak = 0;
    for (const v of data) peak = Math.max(peak, Math.abs(v - 128));
    ui.level.style.width = `${Math.min(100, (peak / 128) * 160)}%`;
    requestAnimationFrame(draw);
  };
  requestAnimationFrame(draw);
  return audioCtx;
}

function waitForIce(pc, timeoutMs) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => { if (pc.iceGatheringState === "complete") resolve(); };
    pc.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, timeoutMs); // send what we have; the rest trickles via PATCH
  });
}

async function errorMessage(response) {
  try { return (await response.json()).error.message; } catch { return `HTTP ${response.status}`; }
}

async function startCall() {
  notify("");
  ui.call.disabled = true;
  setState("connecting");
  let mic;
  try {
    mic = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    });
  } catch (err) {
    const denied = err && (err.name === "NotAllowedError" || err.name === "SecurityError");
    notify(denied
      ? "Microphone access was denied. Allow the microphone for this page to call, or type your question below."
      : `No microphone is available (${err && err.name}). You can still type your question below.`);
    setState("idle");
    ui.call.disabled = false;
    return;
  }
  const iceServers = await fetch("/api/ice-servers").then((r) => (r.ok ? r.json() : [])).catch(() => []);
  const pc = new RTCPeerConnection({ iceServers });
  const dc = pc.createDataChannel("messages", { ordered: true });
  call = { pc, dc, mic, audioCtx: meter(mic), timers: [] };
  mic.getTracks().forEach((t) => pc.addTrack(t, mic));
  pc.ontrack = (e) => {
    // Ask for the smallest playout buffer the browser will run (Chrome: jitterBufferTarget, ms).
    try { if ("jitterBufferTarget" in e.receiver) e.receiver.jitterBufferTarget = 0; } catch {}
    ui.agent.srcObject = e.streams[0] || new MediaStream([e.track]);
  };
  dc.onmessage = onDataMessage;
  // Pipecat notices a vanished caller by these keep-alives.
  dc.onopen = () => call && call.timers.push(setInterval(() => dc.readyState === "open" && dc.send("ping: " + Date.now()), 1000));
  pc.onconnectionstatechange = () => {
    if (pc.connectionState === "connected") {
      setState("listening");
      ui.hangup.disabled = false;
      ui.muteLabel.hidden = false;
    }
    if (pc.connectionState === "failed") { notify("Connection failed: the call's audio could not get through (a firewall or NAT may need a TURN server)."); hangUp(); }
    if (pc.connectionState === "closed" || pc.connectionState === "disconnected") hangUp();
  };

  let pcId = null;
  const queued = [];
  pc.onicecandidate = (e) => {
    if (!e.candidate) return;
    const c = { candidate: e.candidate.candidate, sdp_mid: e.candidate.sdpMid, sdp_mline_index: e.candidate.sdpMLineIndex };
    if (pcId) patchCandidates(pcId, [c]); else queued.push(c);
  };

  try {
    await pc.setLocalDescription(await pc.createOffer());
    await waitForIce(pc, 2000);
    const headers = { "Content-Type": "application/json" };
    const body = { sdp: pc.localDescription.sdp, type: "offer" };
    const response = await fetch("/api/offer", { method: "POST", headers, body: JSON.stringify(body) });
    if (!response.ok) {
      const message = await errorMessage(response);
      if (response.status === 503) notify("The service is busy: every line is taken right now. Please try again in a minute.", "busy");
      else if (response.status === 429) notify(`Too many call attempts from your network: ${message}`, "busy");
      else notify(`Connection failed: ${message}`);
      hangUp();
      return;
    }
    const answer = await response.json();
    if (ui.transcript.children.length) addDivider("New call");
    keepSession(answer);
    pcId = answer.pc_id;
    await pc.setRemoteDescription({ sdp: answer.sdp, type: answer.type });
    if (queued.length) patchCandidates(pcId, queued.splice(0));
    call.timers.push(setTimeout(() => {
      if (call && call.pc === pc && pc.connectionState !== "connected") {
        notify("Connection failed: the call did not connect within 20 seconds.");
        hangUp();
      }
    }, 20000));
  } catch (err) {
    notify(`Connection failed: ${err && err.message ? err.message : err}`);
    hangUp();
  }
}

function patchCandidates(pcId, candidates) {
  fetch("/api/offer", {
    method: "PATCH", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ pc_id: pcId, candidates }),
  }).catch(() => {});
}

function hangUp() {
  const c = call;
  call = null;
  if (c) {
    c.timers.forEach((t) => { clearInterval(t); clearTimeout(t); });
    try { c.dc.close(); } catch {}
    try { c.pc.close(); } catch {}
    c.mic.getTracks().forEach((t) => t.stop());
    c.audioCtx.close().catch(() => {});
    if (session && ui.transcript.children.length) addDivider("Call ended. You can keep asking by text.");
  }
  ui.agent.srcObject = null;
  ui.call.disabled = false;
  ui.hangup.disabled = true;
  ui.muteLabel.hidden = true;
  caption("");
  clearPending();
  setState("idle");
}

async function query(text) {
  const headers = { "Content-Type": "application/json" };
  const body = { text };
  if (session) { body.session_id = session.session_id; headers.Authorization = `Bearer ${session.session_token}`; }
  return fetch("/api/query", { method: "POST", headers, body: JSON.stringify(body) });
}

async function ask(text) {
  notify("");
  if (call && call.dc.readyState === "open") {
    call.dc.send(JSON.stringify({ type: "text", text, mute: ui.mute.checked }));
    showPending(); // the question and its answer come back as transcript messages
    setState("thinking");
    return;
  }
  // No call: the text endpoint, in the same session when there is one (also after a call ended).
  addLine("user", text);
  showPending();
  try {
    let response = await query(text);
    if (session && (response.status === 401 || response.status === 404)) {
      session = null;
      sessionStorage.removeItem("session");
      notify("Your earlier conversation has expired, so this question starts a new one.", "busy");
      response = await query(text);
    }
    if (!response.ok) { clearPending(); notify(`Could not ask: ${await errorMessage(response)}`); return; }
    const answer = await response.json();
    keepSession(answer);
    ui.send.removeAttribute("aria-busy");
    addLine("assistant", answer.answer);
  } catch (err) {
    clearPending();
    notify(`Could not ask: ${err && err.message ? err.message : err}`);
  }
}

async function loadProfile() {
  try {
    const response = await fetch("/api/profile");
    if (!response.ok) return;
    const p = await response.json();
    ui.name.textContent = p.name;
    ui.title.textContent = p.title || "";
    ui.summary.textContent = p.summary || "";
    document.title = `Ask about ${p.name}'s resume`;
    ui.suggestions.replaceChildren(...(p.suggestions || []).map((q) => {
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = q;
      b.addEventListener("click", () => ask(q).catch((err) => notify(`Could not ask: ${err.message || err}`)));
      li.appendChild(b);
      return li;
    }));
    ui.suggestions.closest("section").hidden = !(p.suggestions || []).length;
    const r = p.recording || {};
    ui.recording.textContent = r.enabled
      ? `Voice calls are recorded; recordings are deleted after ${r.retention_h} hours. ${p.name} can read what is asked.`
      : `Calls are not recorded. ${p.name} can read what is asked.`;
    ui.recording.hidden = false;
  } catch { /* the page still works without the profile */ }
}

async function restoreConversation() {
  if (!session) return;
  try {
    const response = await fetch(`/api/sessions/${session.session_id}/history`, {
      headers: { Authorization: `Bearer ${session.session_token}` },
    });
    if (!response.ok) { session = null; sessionStorage.removeItem("session"); return; }
    const turns = (await response.json()).turns || [];
    if (!turns.length) return;
    addDivider("Earlier in this conversation");
    for (const t of turns) addLine(t.role, t.text);
  } catch { /* nothing to restore */ }
}

ui.call.addEventListener("click", startCall);
ui.hangup.addEventListener("click", hangUp);
ui.form.addEventListener("submit", (e) => {
  e.preventDefault();
  const text = ui.text.value.trim();
  if (!text) return;
  ui.text.value = "";
  ask(text).catch((err) => notify(`Could not ask: ${err.message || err}`));
});
window.addEventListener("beforeunload", hangUp);
setState("idle");
loadProfile();
restoreConversation();
