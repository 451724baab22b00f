// iamwarden playground: the page's behaviour. Plain JS, no build step, nothing loaded from elsewhere.
// Every decision comes from the local JSON API (/api/*), which asks the iamwarden library.
"use strict";

const DOCS = ["identity", "trust", "permissions"];
const DEBOUNCE_MS = 250;
const state = { lang: "en", en: {}, messages: {}, cases: [], caseKey: null, result: null, seq: 0,
                account: null, admin: null, pictureUrl: null, mode: "sandbox" };
const $ = (id) => document.getElementById(id);

function t(key, vars) {
  let s = state.messages[key] ?? state.en[key] ?? key;
  for (const [k, v] of Object.entries(vars || {})) s = s.split("{" + k + "}").join(String(v));
  return s;
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

async function loadMessages(lang) {
  const get = async (l) => { const r = await fetch(`/assets/messages.${l}.json`); return r.ok ? r.json() : {}; };
  if (!Object.keys(state.en).length) state.en = await get("en");
  state.messages = lang === "en" ? state.en : await get(lang);
}

async function api(path, body) {
  const opts = body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" },
                                             body: JSON.stringify(body) };
  const r = await fetch(path, opts);
  const data = await r.json();
  if (!r.ok) { const err = new Error(data.error ? `${data.error.field}: ${data.error.message}` : r.statusText);
               err.status = r.status; throw err; }
  return data;
}

// -- i18n ------------------------------------------------------------------------------------

function applyI18n() {
  document.documentElement.lang = state.lang;
  for (const e of document.querySelectorAll("[data-i18n]")) e.textContent = t(e.dataset.i18n);
  $("picture").alt = t("picture.alt");
  renderCases();
  if (state.result) renderResult(state.result);
  if (state.admin) renderAdmin(state.admin);
}

async function setLang(lang) {
  state.lang = lang;
  $("lang").value = lang;
  await loadMessages(lang);
  applyI18n();
  schedule(0);
  // the admin view's steps are in the language they were asked in: ask again when it is open
  state.admin = null;
  $("admin-hops").replaceChildren();
  if (!$("view-admin").hidden) showView("admin");
}

// -- cases and the loaded account ---------------------------------------------------------------

function renderCases() {
  const ul = $("cases");
  ul.replaceChildren();
  for (const c of state.cases) {
    const b = el("button", { type: "button", "data-case": c.key, "aria-pressed": String(c.key === state.caseKey) },
                 el("span", { class: "title", text: t(c.title) }), el("span", { class: "blurb", text: t(c.blurb) }));
    b.addEventListener("click", () => pickCase(c.key));
    ul.append(el("li", {}, b));
  }
}

function fill(doc) {
  $("caller").value = doc.caller; $("role").value = doc.role;
  for (const d of DOCS) { $("doc-" + d).value = doc[d] || ""; gutter(d, []); }
}

function pickCase(key) {
  const c = state.cases.find((x) => x.key === key);
  if (!c) return;
  state.caseKey = key; state.mode = "sandbox";
  fill(c); renderCases(); schedule(0);
}

async function loadAccount() {
  state.account = await api("/api/account");
  if (!state.account.loaded) return;
  $("account-none").hidden = true; $("account-pick").hidden = false;
  const opts = (sel, arns) => sel.replaceChildren(...arns.map((a) => el("option", { value: a, text: a })));
  opts($("pick-caller"), state.account.callers);
  opts($("pick-role"), state.account.roles);
}

async function pickFromAccount() {
  try {
    const docs = await api("/api/pick", { caller: $("pick-caller").value, role: $("pick-role").value });
    state.caseKey = null; state.mode = "account";
    fill(docs); renderCases(); schedule(0);
  } catch (e) { showError(e); }
}

// -- deciding, live -----------------------------------------------------------------------------

let timer = null;
function schedule(ms = DEBOUNCE_MS) { clearTimeout(timer); timer = setTimeout(decide, ms); }

function currentCase() {
  const out = { caller: $("caller").value, role: $("role").value };
  for (const d of DOCS) out[d] = $("doc-" + d).value;
  return out;
}

async function decide() {
  const seq = ++state.seq;
  const body = { ...currentCase(), lang: state.lang, mode: state.mode };
  updateShareLink();
  try {
    const res = await api("/api/explain", body);
    if (seq !== state.seq) return;  // a newer edit is on its way
    state.result = res;
    renderResult(res);
  } catch (e) {
    if (seq === state.seq) showError(e);
  }
}

function showError(e) {
  state.result = null;
  const v = $("verdict");
  v.className = "verdict deny";
  v.replaceChildren(el("span", { class: "error", text: e.status ? t("verdict.error") + " " : t("error.network") + " " }),
                    e.status ? e.message : "");
  $("verdict").dataset.outcome = "error";
}

function renderResult(res) {
  for (const d of DOCS) renderFindings(d, res.findings[d] || []);
  const v = $("verdict");
  if (!res.decided) {
    v.className = "verdict"; v.dataset.outcome = "undecided";
    v.replaceChildren(el("span", { class: "word", text: "?" }), t("verdict.undecided"));
    for (const id of ["credentials", "side-caller", "side-trust", "changes", "notes"]) $(id).replaceChildren();
    $("credentials").className = "credentials";
    setPicture(null);
    return;
  }
  const e = res.explanation;
  v.className = "verdict " + (e.allowed ? "allow" : "deny");
  v.dataset.outcome = e.outcome;
  v.replaceChildren(el("span", { class: "word", text: e.allowed ? t("verdict.allowed") : t("verdict.denied") }),
                    el("span", { class: "outcome", text: `${e.caller.name} → sts:AssumeRole → ${e.role.name}: ${e.outcome}` }),
                    el("span", { class: "rule" }, el("strong", { text: t("verdict.rule") + ": " }), e.rule));
  const cred = $("credentials");
  cred.replaceChildren(); cred.className = "credentials";
  if (e.allowed && e.credentials) {
    cred.append(el("p", { text: t("credentials.for", { arn: e.credentials.assumed_role_arn,
                                                       seconds: e.credentials.duration_seconds }) }));
    if (res.role_is_admin) { cred.className = "credentials danger"; cred.append(el("p", { id: "danger", text: t("credentials.admin") })); }
  }
  renderSide($("side-caller"), e.sides.caller, t("sides.caller"));
  renderSide($("side-trust"), e.sides.trust, t("sides.trust"));
  renderList($("changes"), t("changes.heading"), e.what_would_change_the_answer);
  renderList($("notes"), t("notes.heading"), e.notes);
  setPicture(res.svg, res.picture_error);
}

function renderSide(box, side, title) {
  box.className = "side " + side.state;
  box.dataset.state = side.state;
  box.replaceChildren(el("h3", {}, title + " ", el("span", { class: "state", text: "— " + t("state." + side.state) })),
                      el("p", { text: side.summary }));
  for (const s of side.statements) {
    box.append(el("p", {}, el("strong", { text: `${s.effect}: ` }), `${s.policy} #${s.statement}${s.sid ? " (" + s.sid + ")" : ""}`,
                  s.text ? el("code", { text: s.text }) : null));
  }
}

function renderList(box, heading, items) {
  box.replaceChildren();
  if (!items || !items.length) return;
  box.append(el("h3", { text: heading }), el("ul", {}, ...items.map((x) => el("li", { text: x }))));
}

function setPicture(svg, error) {
  const img = $("picture");
  const note = $("picture-error");
  if (state.pictureUrl) URL.revokeObjectURL(state.pictureUrl);
  state.pictureUrl = null;
  note.textContent = error ? t("picture.missing") : ""; note.hidden = !error;
  if (!svg) { img.removeAttribute("src"); img.hidden = true; return; }
  state.pictureUrl = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
  img.src = state.pictureUrl; img.hidden = false;
  img.alt = t("picture.alt") + " " + (state.result?.explanation?.rule || "");
}

// -- findings in the editor -------------------------------------------------------------------------

function renderFindings(doc, findings) {
  const ul = $("findings-" + doc);
  ul.replaceChildren();
  const box = document.querySelector(`.editor[data-doc="${doc}"]`);
  box.classList.toggle("has-error", findings.some((f) => f.type === "ERROR"));
  $("doc-" + doc).setAttribute("aria-invalid", String(findings.some((f) => f.type === "ERROR")));
  if (!findings.length) ul.append(el("li", { class: "none", text: t("findings.none") }));
  for (const f of findings) {
    const b = el("button", { type: "button", "data-line": f.line, "data-column": f.column },
                 el("span", { class: "at", text: t("findings.at", { line: f.line, column: f.column }) }),
                 ` ${f.type} ${f.code}: ${f.message}`);
    b.addEventListener("click", () => jumpTo(doc, f.line, f.column));
    ul.append(el("li", { class: "type-" + f.type }, b));
  }
  gutter(doc, findings);
}

function gutter(doc, findings) {
  const ta = $("doc-" + doc);
  const pre = document.querySelector(`.editor[data-doc="${doc}"] .gutter`);
  const lines = ta.value.split("\n").length;
  const marks = new Map(findings.map((f) => [f.line, f.type === "ERROR" ? "bad" : "warn"]));
  pre.replaceChildren();
  for (let i = 1; i <= lines; i++) {
    pre.append(marks.has(i) ? el("span", { class: marks.get(i), "data-line": i, text: String(i) }) : String(i), "\n");
  }
  pre.scrollTop = ta.scrollTop;
}

function jumpTo(doc, line, column) {
  const ta = $("doc-" + doc);
  const rows = ta.value.split("\n");
  let offset = 0;
  for (let i = 0; i < line - 1 && i < rows.length; i++) offset += rows[i].length + 1;
  offset += Math.max(0, column - 1);
  ta.focus();
  ta.setSelectionRange(offset, offset);
}

// -- share links: the case inside the URL fragment (never sent to any server) ---------------------------

function encodeCase(c) {
  const bytes = new TextEncoder().encode(JSON.stringify({ v: 1, ...c }));
  let bin = ""; for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function decodeCase(text) {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(b64 + "===".slice((b64.length + 3) % 4));
  const obj = JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (ch) => ch.charCodeAt(0))));
  if (!obj || obj.v !== 1) throw new Error("unknown share link version");
  const out = {};
  for (const k of ["caller", "role", ...DOCS]) out[k] = typeof obj[k] === "string" ? obj[k] : "";
  return out;
}

function shareUrl() {
  return location.href.split("#")[0] + "#case=" + encodeCase(currentCase());
}

function updateShareLink() { $("share-link").value = shareUrl(); }

async function share() {
  const link = shareUrl();
  history.replaceState(null, "", link);
  $("share-link").value = link;
  try { await navigator.clipboard.writeText(link); } catch (_) { $("share-link").select(); }
  $("share-status").textContent = t("share.copied");
}

function fromFragment() {
  const m = location.hash.match(/^#case=([A-Za-z0-9_-]+)$/);
  if (!m) return false;
  try { fill(decodeCase(m[1])); state.caseKey = null; state.mode = "sandbox"; return true; } catch (_) { return false; }
}

// -- who can become admin -------------------------------------------------------------------------------

async function showView(name) {
  const admin = name === "admin";
  $("view-play").hidden = admin; $("view-admin").hidden = !admin;
  $("tab-play").setAttribute("aria-pressed", String(!admin));
  $("tab-admin").setAttribute("aria-pressed", String(admin));
  if (admin && !state.admin) { state.admin = await api("/api/admin", { lang: state.lang }); renderAdmin(state.admin); }
}

function short(arn) { return arn.split("/").pop(); }

function renderAdmin(a) {
  $("admin-none").hidden = a.loaded; $("admin-body").hidden = !a.loaded;
  if (!a.loaded) return;
  const admins = $("admin-admins");
  admins.replaceChildren(...(a.admins.length ? a.admins.map((x) => el("li", { text: x.arn }))
                                              : [el("li", { text: t("admin.nobody") })]));
  const ul = $("admin-paths");
  ul.replaceChildren();
  if (!a.escalations.length) ul.append(el("li", { text: t("admin.nobody") }));
  for (const p of a.escalations) {
    const li = el("li", {}, el("span", { class: "who-arn", text: p.arn }), el("br"));
    p.paths.forEach((path, i) => {
      const steps = path.steps.map((s) => `${s.technique_name || s.technique} → ${short(s.to)}`).join(", ");
      const b = el("button", { type: "button", class: "path", "data-from": p.arn, "aria-pressed": "false",
                               text: t("admin.path", { n: i + 1, steps }) });
      b.addEventListener("click", () => showPath(b, path));
      li.append(b);
    });
    ul.append(li);
  }
}

async function showPath(button, path) {
  for (const b of document.querySelectorAll("#admin-paths button")) b.setAttribute("aria-pressed", "false");
  button.setAttribute("aria-pressed", "true");
  const box = $("admin-hops");
  box.replaceChildren();
  for (const [i, s] of path.steps.entries()) {
    const hop = el("div", { class: "hop" },
      el("h4", { text: `${i + 1}. ${s.technique_name || s.technique}: ${short(s.from)} → ${short(s.to)}` }),
      el("p", { text: `${s.from} ${s.reason} → ${s.to}` }));
    if (s.statements && s.statements.length) {
      hop.append(el("p", {}, el("strong", { text: t("admin.statements") })),
                 el("ul", {}, ...s.statements.filter((r) => r.policy).map((r) =>
                   el("li", { text: `${r.message} [${r.policy_type}: ${r.policy} #${r.statement}]` }))));
    }
    box.append(hop);
    try {
      const res = await api("/api/hop", { from: s.from, to: s.to, technique: s.technique, lang: state.lang });
      if (res.explained && !res.svg) {
        hop.append(el("p", { class: "rule", text: res.explanation.rule }), el("p", { class: "error", text: t("picture.missing") }));
      } else if (res.explained) {
        const url = URL.createObjectURL(new Blob([res.svg], { type: "image/svg+xml" }));
        hop.append(el("p", { class: "rule", text: res.explanation.rule }), el("img", { src: url, alt: res.explanation.rule }));
      }
    } catch (e) { hop.append(el("p", { class: "error", text: e.message })); }
  }
}

// -- start -------------------------------------------------------------------------------------------

async function start() {
  const params = new URLSearchParams(location.search);
  state.lang = params.get("lang") === "ja" ? "ja" : (navigator.language || "").startsWith("ja") ? "ja" : "en";
  $("lang").value = state.lang;
  await loadMessages(state.lang);
  state.cases = (await api("/api/cases")).cases;
  applyI18n();
  await loadAccount();
  if (!fromFragment()) pickCase(state.cases[0].key); else schedule(0);
  for (const d of DOCS) {
    const ta = $("doc-" + d);
    ta.addEventListener("input", () => { gutter(d, []); schedule(); });
    ta.addEventListener("scroll", () => { document.querySelector(`.editor[data-doc="${d}"] .gutter`).scrollTop = ta.scrollTop; });
  }
  for (const id of ["caller", "role"]) $(id).addEventListener("input", () => schedule());
  $("lang").addEventListener("change", () => setLang($("lang").value));
  $("share").addEventListener("click", share);
  $("pick-load").addEventListener("click", pickFromAccount);
  $("tab-play").addEventListener("click", () => showView("play"));
  $("tab-admin").addEventListener("click", () => showView("admin"));
  window.addEventListener("hashchange", () => { if (fromFragment()) { renderCases(); schedule(0); } });
  document.body.dataset.ready = "true";
}

start();
