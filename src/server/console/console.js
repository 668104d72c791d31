// console.js: the web console, a page per hash route, over the server's
// Vault API (/v1/...). The token lives in this tab's sessionStorage only.
// Every value from the server reaches the page as text (never as HTML), and
// an issued secret is shown once: leaving the view drops it from the page.
import { REGIONS } from "/ui/regions.js";

const TOKEN_KEY = "dyncreds.token";
const main = document.getElementById("main");
const signOut = document.getElementById("sign-out");

// --- DOM ------------------------------------------------------------------------

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "text") el.textContent = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c);
  return el;
}

let fieldIds = 0;
// A labelled input; `hint` is read out with it.
function field(label, input, hint) {
  const id = input.id || `f${++fieldIds}`;
  input.id = id;
  const hintEl = hint ? h("p", { class: "hint", id: `${id}-hint`, text: hint }) : null;
  if (hintEl) input.setAttribute("aria-describedby", hintEl.id);
  const err = h("p", { class: "field-error", id: `${id}-error`, role: "alert" });
  return h("div", { class: "field", "data-field": input.name || "" }, h("label", { for: id, text: label }), input, hintEl, err);
}

function show(title, ...content) {
  main.replaceChildren(h("h1", { text: title }), ...content);
  document.title = `${title} · dyncreds`;
  main.focus();
}

function message(text, kind = "error") {
  return h("p", { class: kind, role: kind === "error" ? "alert" : "status", text });
}

function copyButton(label, value) {
  return h("button", { type: "button", "aria-label": `Copy ${label}`, onclick: (e) => {
    navigator.clipboard?.writeText(value());
    e.target.textContent = "Copied";
  } }, "Copy");
}

// --- the API ------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, errors) {
    super(errors.length ? errors.join("; ") : `HTTP ${status}`);
    this.status = status;
    this.errors = errors;
  }
}

async function api(method, path, body) {
  const headers = { "X-Vault-Token": sessionStorage.getItem(TOKEN_KEY) || "" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const reply = await fetch(`/v1/${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await reply.text();
  const json = text ? JSON.parse(text) : null;
  if (!reply.ok) throw new ApiError(reply.status, (json && json.errors) || []);
  return json;
}

// A list, empty when Vault answers its empty 404.
async function list(path) {
  try {
    return (await api("LIST", path)).data.keys;
  } catch (e) {
    if (e.status === 404 && e.errors.length === 0) return [];
    throw e;
  }
}

// Puts the server's message beside the field it names ("max_ttl: ...").
function showError(form, error) {
  form.querySelectorAll(".field-error").forEach((p) => (p.textContent = ""));
  const status = form.querySelector(".form-status");
  const text = error.message || String(error);
  const named = /^([a-z_]+): /.exec(text);
  const target = named && form.querySelector(`[data-field="${named[1]}"] .field-error`);
  if (target) target.textContent = text;
  status.replaceChildren(message(error.status === 403 ? "permission denied"
    : target ? `Not done: see ${named[1]} above.` : text));
}

function formStatus() {
  return h("div", { class: "form-status", "aria-live": "polite" });
}

// --- views ------------------------------------------------------------------------

let leaving = [];  // what to forget when the view changes (issued secrets)
// Each route() counts; a view renders only if no newer route started while
// it waited for the server (a click during a slow load must win).
let serial = 0;

async function route() {
  const mine = ++serial;
  for (const forget of leaving.splice(0)) forget();
  const token = sessionStorage.getItem(TOKEN_KEY);
  signOut.hidden = !token;
  const parts = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  if (!token) return loginView();
  try {
    const [page, mount, kind, name, sub] = parts;
    if (page === "status") return await statusView();
    if (page === "engine" && kind === "configure") return await configureView(mount);
    if (page === "engine" && kind === "roles" && name === undefined) return await rolesView(mount);
    if (page === "engine" && kind === "new-role") return await roleFormView(mount, null);
    if (page === "engine" && kind === "role" && sub === "edit") return await roleFormView(mount, name);
    if (page === "engine" && kind === "role" && sub === "leases") return await leasesView(mount, name);
    if (page === "engine" && kind === "role") return await roleView(mount, name);
    return await enginesView();
  } catch (e) {
    if (mine === serial) show("Error", message(e.status === 403 ? "permission denied" : e.message));
  }
}

function loginView() {
  const mine = serial;
  const token = h("input", { type: "password", name: "token", autocomplete: "off", required: true });
  const status = formStatus();
  const form = h("form", { onsubmit: async (e) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, token.value);
    try {
      await api("GET", "auth/token/lookup-self");
      location.hash = "#/engines";
      route();
    } catch (err) {
      sessionStorage.removeItem(TOKEN_KEY);
      status.replaceChildren(message(err.status === 403 ? "permission denied: that token is not valid" : err.message));
    }
  } }, field("Token", token, "Kept in this tab only; Sign out forgets it."), status,
    h("div", { class: "row" }, h("button", { class: "primary", type: "submit" }, "Sign in")));
  if (mine === serial) show("Sign in", form);
}

async function enginesView() {
  const mine = serial;
  const mounts = (await api("GET", "sys/mounts")).data;
  const rows = Object.entries(mounts).map(([path, m]) => {
    const mount = path.replace(/\/$/, "");
    return h("tr", {}, h("td", {}, h("a", { href: `#/engine/${encodeURIComponent(mount)}/roles`, text: path })),
      h("td", { text: m.type }), h("td", { text: m.description || "" }),
      h("td", {}, h("a", { href: `#/engine/${encodeURIComponent(mount)}/configure`, text: "Configure" }), " ",
        h("button", { type: "button", class: "danger", onclick: () => disableEngine(mount) }, "Disable")));
  });
  const path = h("input", { name: "path", value: "aws", required: true });
  const description = h("input", { name: "description" });
  const status = formStatus();
  const form = h("form", { onsubmit: async (e) => {
    e.preventDefault();
    try {
      await api("POST", `sys/mounts/${path.value.replace(/^\/+|\/+$/g, "")}`, { type: "aws", description: description.value });
      location.hash = `#/engine/${encodeURIComponent(path.value.replace(/^\/+|\/+$/g, ""))}/configure`;
    } catch (err) { showError(form, err); }
  } }, h("h2", { text: "Enable new engine: AWS" }), field("Path", path), field("Description", description), status,
    h("div", { class: "row" }, h("button", { class: "primary", type: "submit" }, "Enable engine")));
  if (mine === serial) show("Secrets engines",
    h("table", {}, h("thead", {}, h("tr", {}, h("th", { text: "Path" }), h("th", { text: "Type" }), h("th", { text: "Description" }), h("th", { text: "" }))),
      h("tbody", {}, rows)), form);
}

async function leaseIds(prefix) {
  const out = [];
  for (const key of await list(`sys/leases/lookup/${prefix}`)) {
    if (key.endsWith("/")) out.push(...await leaseIds(prefix + key));
    else out.push(prefix + key);
  }
  return out;
}

async function disableEngine(mount) {
  let count = "its";
  try { count = `its ${(await leaseIds(`${mount}/`)).length}`; } catch { /* no sudo on lookup: count unknown */ }
  if (!confirm(`Disable ${mount}/? This revokes ${count} leases (deleting their IAM users), then forgets the mount's roles and configuration.`)) return;
  try {
    await api("DELETE", `sys/mounts/${mount}`);
    route();
  } catch (e) { alert(e.message); }
}

function tabs(mount, current) {
  const link = (href, label) => h("a", { href, "aria-current": current === label ? "page" : null, text: label });
  return h("nav", { class: "tabs", "aria-label": "Engine" }, link(`#/engine/${encodeURIComponent(mount)}/roles`, "Roles"),
    link(`#/engine/${encodeURIComponent(mount)}/configure`, "Configure AWS"));
}

async function configureView(mount) {
  const mine = serial;
  let root = {};
  try { root = (await api("GET", `${mount}/config/root`)).data || {}; } catch (e) { if (e.status === 403) throw e; }
  const lease = (await api("GET", `${mount}/config/lease`)).data || {};
  const access = h("input", { name: "access_key", value: root.access_key || "", autocomplete: "off" });
  const secret = h("input", { name: "secret_key", type: "password", autocomplete: "new-password" });
  const region = h("select", { name: "region" }, REGIONS.map(([r, d]) => h("option", { value: r, selected: r === (root.region || "us-east-1"), text: `${r} (${d})` })));
  const iam = h("input", { name: "iam_endpoint", value: root.iam_endpoint || "" });
  const sts = h("input", { name: "sts_endpoint", value: root.sts_endpoint || "" });
  const template = h("input", { name: "username_template", value: root.username_template || "" });
  const rootStatus = formStatus();
  const rootForm = h("form", { onsubmit: async (e) => {
    e.preventDefault();
    const body = { access_key: access.value, region: region.value, iam_endpoint: iam.value, sts_endpoint: sts.value };
    if (template.value) body.username_template = template.value;
    if (secret.value) body.secret_key = secret.value;
    try {
      await api("POST", `${mount}/config/root`, body);
      secret.value = "";
      rootStatus.replaceChildren(message("Saved.", "ok"));
    } catch (err) { showError(rootForm, err); }
  } }, field("Access key", access), field("Secret key", secret, "Write-only: never shown back. Leave empty to keep the stored one."),
    field("Region", region), field("IAM endpoint", iam, "Empty: AWS's for the region."), field("STS endpoint", sts),
    field("Username template", template, "Empty: the default template."), rootStatus,
    h("div", { class: "row" }, h("button", { class: "primary", type: "submit" }, "Save")));
  const ttl = h("input", { name: "lease", value: lease.lease || "" });
  const max = h("input", { name: "lease_max", value: lease.lease_max || "" });
  const leaseStatus = formStatus();
  const leaseForm = h("form", { onsubmit: async (e) => {
    e.preventDefault();
    try {
      await api("POST", `${mount}/config/lease`, { lease: ttl.value, lease_max: max.value });
      leaseStatus.replaceChildren(message("Saved.", "ok"));
    } catch (err) { showError(leaseForm, err); }
  } }, h("h2", { text: "Lease defaults" }), field("Default lease", ttl, "e.g. 1h"), field("Maximum lease", max, "e.g. 24h"), leaseStatus,
    h("div", { class: "row" }, h("button", { type: "submit" }, "Save lease defaults")));
  if (mine === serial) show(`Configure AWS: ${mount}/`, tabs(mount, "Configure AWS"), rootForm, leaseForm);
}

async function rolesView(mount) {
  const mine = serial;
  const roles = await list(`${mount}/roles`);
  if (mine === serial) show(`${mount}/ roles`, tabs(mount, "Roles"),
    h("div", { class: "row" }, h("a", { href: `#/engine/${encodeURIComponent(mount)}/new-role`, text: "Create role" })),
    roles.length ? h("ul", {}, roles.map((r) => h("li", {}, h("a", { href: `#/engine/${encodeURIComponent(mount)}/role/${encodeURIComponent(r)}`, text: r }))))
      : h("p", { text: "No roles yet." }));
}

const TYPES = [["iam_user", "IAM User"], ["assumed_role", "Assumed Role"], ["federation_token", "Federation Token"], ["session_token", "Session Token"]];
// Which fields each credential type takes.
const FIELDS_FOR = {
  iam_user: ["policy_arns", "policy_document", "iam_groups", "iam_tags", "user_path", "permissions_boundary_arn", "default_ttl", "max_ttl", "max_active_leases"],
  assumed_role: ["role_arns", "policy_arns", "policy_document", "iam_groups", "session_tags", "external_id", "mfa_serial_number", "default_sts_ttl", "max_sts_ttl", "max_active_leases"],
  federation_token: ["policy_arns", "policy_document", "iam_groups", "default_sts_ttl", "max_sts_ttl", "max_active_leases"],
  session_token: ["mfa_serial_number", "default_sts_ttl", "max_sts_ttl", "max_active_leases"],
};

// A list of values with an input and an "Add" button, each item removable.
function listEditor(name, label, values) {
  const items = [...values];
  const input = h("input", { name: `${name}-new`, "aria-label": `New ${label}` });
  const ul = h("ul", { "aria-label": label });
  const render = () => ul.replaceChildren(...items.map((v, i) => h("li", {}, h("span", { text: v }), " ",
    h("button", { type: "button", "aria-label": `Remove ${v}`, onclick: () => { items.splice(i, 1); render(); } }, "Remove"))));
  const add = () => { if (input.value.trim()) { items.push(input.value.trim()); input.value = ""; render(); } };
  input.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); add(); } });
  render();
  const wrapper = h("div", { class: "field", "data-field": name }, h("label", { for: input.id = `f${++fieldIds}`, text: label }),
    h("div", { class: "row" }, input, h("button", { type: "button", onclick: add }, "Add")), ul, h("p", { class: "field-error", role: "alert" }));
  return { el: wrapper, value: () => items };
}

const SECONDS = (v) => (v ? `${v}s` : "");

async function roleFormView(mount, name) {
  const mine = serial;
  const role = name ? (await api("GET", `${mount}/roles/${name}`)).data : { credential_type: "iam_user" };
  const roleName = h("input", { name: "name", value: name || "", required: true, readonly: name ? true : null });
  const type = h("select", { name: "credential_type" }, TYPES.map(([v, l]) => h("option", { value: v, selected: v === role.credential_type, text: l })));
  const lists = { policy_arns: listEditor("policy_arns", "Policy ARNs", role.policy_arns || []), role_arns: listEditor("role_arns", "Role ARNs", role.role_arns || []) };
  const doc = h("textarea", { name: "policy_document", spellcheck: "false" }, role.policy_document || "");
  const docError = () => {
    try { if (doc.value.trim()) JSON.parse(doc.value); return ""; } catch (e) { return `policy_document: not valid JSON: ${e.message}`; }
  };
  const text = (key, label, value, hint) => ({ key, el: field(label, h("input", { name: key, value: value ?? "" }), hint) });
  const plain = [
    text("iam_groups", "IAM groups", (role.iam_groups || []).join(","), "Comma-separated group names."),
    text("iam_tags", "IAM tags", Object.entries(role.iam_tags || {}).map(([k, v]) => `${k}=${v}`).join(","), "key=value, comma-separated."),
    text("session_tags", "Session tags", Object.entries(role.session_tags || {}).map(([k, v]) => `${k}=${v}`).join(","), "key=value, comma-separated."),
    text("user_path", "User path", role.user_path || ""),
    text("permissions_boundary_arn", "Permissions boundary ARN", role.permissions_boundary_arn),
    text("external_id", "External ID", role.external_id),
    text("mfa_serial_number", "MFA serial number", role.mfa_serial_number),
    text("default_ttl", "Default TTL", SECONDS(role.default_ttl), "e.g. 30m; empty: the mount's lease default."),
    text("max_ttl", "Max TTL", SECONDS(role.max_ttl)),
    text("default_sts_ttl", "Default STS TTL", SECONDS(role.default_sts_ttl), "e.g. 1h"),
    text("max_sts_ttl", "Max STS TTL", SECONDS(role.max_sts_ttl)),
    text("max_active_leases", "Max active leases", role.max_active_leases || "", "0 or empty: no limit."),
  ];
  const docField = field("Policy document", doc, "An IAM policy in JSON; optional.");
  const all = { policy_arns: lists.policy_arns.el, role_arns: lists.role_arns.el, policy_document: docField, ...Object.fromEntries(plain.map((p) => [p.key, p.el])) };
  const showFor = () => { for (const [k, el] of Object.entries(all)) el.hidden = !FIELDS_FOR[type.value].includes(k); };
  type.addEventListener("change", showFor);
  doc.addEventListener("input", () => { docField.querySelector(".field-error").textContent = docError(); });
  const status = formStatus();
  const form = h("form", { onsubmit: async (e) => {
    e.preventDefault();
    const bad = docError();
    if (bad && !docField.hidden) { docField.querySelector(".field-error").textContent = bad; status.replaceChildren(message(bad)); return; }
    const body = { credential_type: type.value };
    for (const k of FIELDS_FOR[type.value]) {
      if (k in lists) body[k] = lists[k].value();
      else if (k === "policy_document") body[k] = doc.value;
      else {
        const v = all[k].querySelector("input").value.trim();
        if (v !== "" || name) body[k] = k === "max_active_leases" ? Number(v || 0) : v || (k.endsWith("ttl") ? 0 : v);
      }
    }
    try {
      await api("POST", `${mount}/roles/${roleName.value}`, body);
      location.hash = `#/engine/${encodeURIComponent(mount)}/role/${encodeURIComponent(roleName.value)}`;
    } catch (err) { showError(form, err); }
  } }, field("Role name", roleName), field("Credential type", type), Object.values(all), status,
    h("div", { class: "row" }, h("button", { class: "primary", type: "submit" }, name ? "Save role" : "Create role")));
  showFor();
  if (mine === serial) show(name ? `Edit role ${name}` : "Create role", tabs(mount, "Roles"), form);
}

function countdown(seconds) {
  const el = h("span", { "aria-live": "off" });
  const end = Date.now() + seconds * 1000;
  const tick = () => {
    const left = Math.max(0, Math.round((end - Date.now()) / 1000));
    el.textContent = `${Math.floor(left / 3600)}h ${Math.floor((left % 3600) / 60)}m ${left % 60}s left`;
  };
  tick();
  const timer = setInterval(tick, 1000);
  leaving.push(() => clearInterval(timer));
  return el;
}

async function roleView(mount, name) {
  const mine = serial;
  const role = (await api("GET", `${mount}/roles/${name}`)).data;
  const sts = role.credential_type !== "iam_user";
  const ttl = h("input", { name: "ttl", placeholder: "e.g. 30m" });
  const roleArn = h("select", { name: "role_arn" }, (role.role_arns || []).map((a) => h("option", { value: a, text: a })));
  const session = h("input", { name: "role_session_name" });
  const mfa = h("input", { name: "mfa_code", inputmode: "numeric", autocomplete: "one-time-code" });
  const result = h("div", { id: "credentials", "aria-live": "polite" });
  const status = formStatus();
  const form = h("form", { onsubmit: async (e) => {
    e.preventDefault();
    const body = {};
    if (ttl.value) body.ttl = ttl.value;
    if (role.credential_type === "assumed_role") { body.role_arn = roleArn.value; if (session.value) body.role_session_name = session.value; }
    if (role.mfa_serial_number && mfa.value) body.mfa_code = mfa.value;
    try {
      const issued = await api("POST", `${mount}/${sts ? "sts" : "creds"}/${name}`, body);
      status.replaceChildren();
      showCredentials(result, issued, name, mount);
    } catch (err) { showError(form, err); }
  } }, h("h2", { text: "Generate credentials" }), field("Lease duration", ttl, "Optional; e.g. 30m."),
    role.credential_type === "assumed_role" ? [field("Role ARN", roleArn), field("Role session name", session)] : null,
    role.mfa_serial_number ? field("MFA code", mfa) : null, status,
    h("div", { class: "row" }, h("button", { class: "primary", type: "submit" }, "Generate")));
  const details = h("table", {}, h("tbody", {}, Object.entries(role).map(([k, v]) =>
    h("tr", {}, h("th", { scope: "row", text: k }), h("td", { text: typeof v === "object" ? JSON.stringify(v) : String(v) })))));
  if (mine === serial) show(`Role ${name}`, tabs(mount, "Roles"),
    h("div", { class: "row" }, h("a", { href: `#/engine/${encodeURIComponent(mount)}/role/${encodeURIComponent(name)}/edit`, text: "Edit role" }),
      h("a", { href: `#/engine/${encodeURIComponent(mount)}/role/${encodeURIComponent(name)}/leases`, text: "Leases" }),
      h("button", { type: "button", class: "danger", onclick: async () => {
        if (!confirm(`Delete role ${name}? Its leases stay and expire as usual.`)) return;
        await api("DELETE", `${mount}/roles/${name}`);
        location.hash = `#/engine/${encodeURIComponent(mount)}/roles`;
      } }, "Delete role")),
    form, result, h("h2", { text: "Role" }), details);
}

// The issued credentials, once: gone from the page when the view changes.
function showCredentials(into, issued, role, mount) {
  const d = issued.data;
  const secret = { access: d.access_key, key: d.secret_key, token: d.session_token };
  const row = (label, value, copy) => h("tr", {}, h("th", { scope: "row", text: label }),
    h("td", {}, h("span", { class: "secret", text: value }), " ", copy ? copyButton(label, () => value) : null));
  const exports = [`export AWS_ACCESS_KEY_ID='${secret.access}'`, `export AWS_SECRET_ACCESS_KEY='${secret.key}'`,
    secret.token ? `export AWS_SESSION_TOKEN='${secret.token}'` : "unset AWS_SESSION_TOKEN"].join("\n");
  // Each AWS CLI run then asks this server for fresh keys (the token from ~/.vault-token).
  const profile = `[profile ${role}]\ncredential_process = env DYNCREDS_ADDR=${location.origin} dyncreds creds ${role} -mount=${mount} -ttl=1h -format=credential-process`;
  into.replaceChildren(h("h2", { text: "Credentials" }),
    message("Copy them now: the secret key is shown only here, once.", "hint"),
    h("table", {}, h("tbody", {}, row("Access key", secret.access, true), row("Secret key", secret.key, true),
      secret.token ? row("Session token", secret.token, true) : null, row("Lease ID", issued.lease_id, true),
      h("tr", {}, h("th", { scope: "row", text: "TTL" }), h("td", {}, `${issued.lease_duration}s, `, countdown(issued.lease_duration))))),
    h("h2", { text: "Shell" }), h("pre", { text: exports }), copyButton("export block", () => exports),
    h("h2", { text: "AWS config profile" }), h("pre", { text: profile }), copyButton("profile", () => profile));
  leaving.push(() => { into.replaceChildren(); secret.access = secret.key = secret.token = ""; });
}

async function leasesView(mount, role) {
  const mine = serial;
  const prefix = `${mount}/creds/${role}/`;
  const ids = await leaseIds(prefix);
  const irrevocable = new Map(((await api("GET", "sys/leases?type=irrevocable")).data.leases || []).map((l) => [l.id, l]));
  const rows = [];
  for (const id of ids) {
    const l = (await api("PUT", "sys/leases/lookup", { lease_id: id })).data;
    const bad = irrevocable.get(id);
    rows.push(h("tr", {}, h("td", { text: id }), h("td", { text: bad ? "irrevocable" : "active" }), h("td", { text: l.expire_time }),
      h("td", { text: bad ? bad.last_error : "" }),
      h("td", {}, l.renewable ? h("button", { type: "button", onclick: async () => { await api("PUT", "sys/leases/renew", { lease_id: id }); route(); } }, "Renew") : null, " ",
        h("button", { type: "button", class: "danger", onclick: async () => { await api("PUT", "sys/leases/revoke", { lease_id: id }); route(); } }, "Revoke"))));
  }
  const report = h("div", { "aria-live": "polite" });
  if (mine === serial) show(`Leases of ${role}`, tabs(mount, "Roles"),
    h("div", { class: "row" },
      h("button", { type: "button", class: "danger", disabled: ids.length === 0, onclick: async () => {
        if (!confirm(`Revoke all ${ids.length} leases of ${role}? Their IAM users are deleted.`)) return;
        await api("PUT", `sys/leases/revoke-prefix/${prefix}`);
        route();
      } }, `Revoke all (${ids.length})`),
      h("button", { type: "button", onclick: async () => {
        const r = await api("PUT", "sys/leases/tidy");
        report.replaceChildren(h("h2", { text: "Tidy report" }), h("pre", { text: JSON.stringify(r.data, null, 2) }));
      } }, "Tidy")),
    ids.length ? h("table", {}, h("thead", {}, h("tr", {}, ["Lease", "State", "Expires", "Last error", ""].map((t) => h("th", { text: t })))), h("tbody", {}, rows))
      : h("p", { text: "No leases." }), report);
}

// Sums of Prometheus samples by label value: {"active": 3, ...}.
function sumBy(text, metric, label) {
  const out = {};
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${metric}{`)) continue;
    const m = new RegExp(`${label}="([^"]*)"`).exec(line);
    const key = m ? m[1] : "";
    out[key] = (out[key] || 0) + Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return out;
}

async function statusView() {
  const mine = serial;
  const health = await fetch("/v1/sys/health").then((r) => r.json());
  const reply = await fetch("/v1/sys/metrics?format=prometheus", { headers: { "X-Vault-Token": sessionStorage.getItem(TOKEN_KEY) } });
  if (!reply.ok) throw new ApiError(reply.status, []);
  const text = await reply.text();
  const states = sumBy(text, "dyncreds_leases", "state");
  const total = (m) => Object.values(sumBy(text, m, "action")).reduce((a, b) => a + b, 0);
  const lagSum = total("dyncreds_revocation_lag_seconds_sum");
  const lagCount = total("dyncreds_revocation_lag_seconds_count");
  const card = (label, value) => h("div", { class: "card" }, h("span", { text: label }), h("strong", { text: String(value) }));
  if (mine === serial) show("Status", h("div", { class: "cards" },
    card("Server", health.sealed ? "sealed" : "serving"), card("Version", health.version),
    card("Active leases", states.active || 0), card("Irrevocable leases", states.irrevocable || 0),
    card("Mean revocation lag", lagCount ? `${(lagSum / lagCount).toFixed(2)} s` : "none yet"),
    card("AWS errors", total("dyncreds_aws_errors_total")), card("AWS throttles", total("dyncreds_aws_throttles_total"))));
}

signOut.addEventListener("click", () => {
  sessionStorage.removeItem(TOKEN_KEY);
  location.hash = "#/";
  route();
});
window.addEventListener("hashchange", route);
route();
