// The call page: plain browser APIs, no build step.
// RTCPeerConnection + fetch("/api/offer") for the call, its data channel for transcripts,
// latency and typed questions; /api/query for typed questions when no call is up.
"use strict";

const $ = (id) => document.getElementById(id);
const ui = {
  call: $("call"), hangup: $("hangup"), level: $("level"), state: $("state"), notice: $("notice"),
  transcript: $("transcript"), form: $("ask"), text: $("text"), mute: $("mute"), agent: $("agent"),
};

let call = null; // {pc, dc, mic, audioCtx, timers}
let session = JSON.parse(sessionStorage.getItem("session") || "null"); // {session_id, session_token}
let lastAgentLine = null;

function setState(text) { ui.state.textContent = text; }

function notify(text, kind = "error") {
  ui.notice.textContent = text;
  ui.notice.className = "notice " + kind;
  ui.notice.hidden = !text;
}

function addLine(role, text, extra = {}) {
  const li = document.createElement("li");
  li.className = role;
  li.textContent = text;
  if (extra.interrupted) li.classList.add("interrupted");
  ui.transcript.appendChild(li);
  li.scrollIntoView({ block: "nearest" });
  if (role === "assistant") lastAgentLine = li;
  return li;
}

function showLatency(m) {
  if (!lastAgentLine) return;
  const stages = ["stt_ms", "turn_ms", "answer_ms", "tts_ms"]
    .filter((k) => k in m).map((k) => `${k.replace("_ms", "")} ${Math.round(m[k])}`).join(", ");
  let span = lastAgentLine.querySelector(".latency");
  if (!span) { span = document.createElement("span"); span.className = "latency"; lastAgentLine.appendChild(span); }
  span.textContent = `⏱ ${Math.round(m.total_ms)} ms to first audio (${stages})`;
}

function onServerMessage(m) {
  if (m.type === "transcript") addLine(m.role, m.text, m);
  else if (m.type === "latency") showLatency(m);
  else if (m.type === "interrupted" && lastAgentLine) lastAgentLine.classList.add("interrupted");
  else if (m.type === "call-ended") { notify("The call ended because it was quiet for a while.", "busy"); hangUp(); }
}

function onDataMessage(event) {
  let msg;
  try { msg = JSON.parse(event.data); } catch { return; }
  // Our messages travel as RTVI server messages: {label: "rtvi-ai", type: "server-message", data}.
  if (msg.type === "server-message" && msg.data) onServerMessage(msg.data);
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
  setState("Asking for the microphone…");
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
    setState("Not connected");
    ui.call.disabled = false;
    return;
  }
  setState("Connecting…");
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
    if (pc.connectionState === "connected") { setState("In call — ask away"); ui.hangup.disabled = false; }
    if (pc.connectionState === "failed") { notify("Connection failed: the call's audio could not get through (a firewall or NAT may need a TURN server)."); hangUp(); }
    if (pc.connectionState === "closed" || pc.connectionState === "disconnected") hangUp();
  };

  let pcId = null;
  const pending = [];
  pc.onicecandidate = (e) => {
    if (!e.candidate) return;
    const c = { candidate: e.candidate.candidate, sdp_mid: e.candidate.sdpMid, sdp_mline_index: e.candidate.sdpMLineIndex };
    if (pcId) patchCandidates(pcId, [c]); else pending.push(c);
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
    session = { session_id: answer.session_id, session_token: answer.session_token };
    sessionStorage.setItem("session", JSON.stringify(session));
    pcId = answer.pc_id;
    await pc.setRemoteDescription({ sdp: answer.sdp, type: answer.type });
    if (pending.length) patchCandidates(pcId, pending.splice(0));
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
  }
  ui.agent.srcObject = null;
  ui.call.disabled = false;
  ui.hangup.disabled = true;
  setState("Not connected");
}

async function ask(text) {
  if (call && call.dc.readyState === "open") {
    call.dc.send(JSON.stringify({ type: "text", text, mute: ui.mute.checked }));
    return; // the question and its answer come back as transcript messages
  }
  // No call: the text endpoint, in the same session when there is one.
  addLine("user", text);
  const headers = { "Content-Type": "application/json" };
  const body = { text };
  if (session) { body.session_id = session.session_id; headers.Authorization = `Bearer ${session.session_token}`; }
  let response = await fetch("/api/query", { method: "POST", headers, body: JSON.stringify(body) });
  if (response.status === 409 || response.status === 401 || response.status === 404) {
    session = null; // ended or expired: start a new text session
    delete body.session_id; delete headers.Authorization;
    response = await fetch("/api/query", { method: "POST", headers, body: JSON.stringify(body) });
  }
  if (!response.ok) { notify(`Could not ask: ${await errorMessage(response)}`); return; }
  const answer = await response.json();
  session = { session_id: answer.session_id, session_token: answer.session_token };
  sessionStorage.setItem("session", JSON.stringify(session));
  addLine("assistant", answer.answer);
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
