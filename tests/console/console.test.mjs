// The web console in Debian's Chromium, driven by playwright-core, against a
// real `dyncreds server` and the local IAM/STS endpoint (root user holding
// the seeds' policy): seed 000's flow start to finish, the keys it shows used
// with botocore, revocation from the UI, bad input, a token without rights,
// and no secret left behind. Each step saves a screenshot to
// DYNCREDS_CONSOLE_ARTIFACTS (default: artifacts/ here).
//
// Run by ctest with DYNCREDS_CLI and DYNCREDS_LOCAL_AWS set:
//   node --test console.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const CLI = process.env.DYNCREDS_CLI;
const ENDPOINT = JSON.parse(readFileSync(process.env.DYNCREDS_LOCAL_AWS, "utf8"));
const ARTIFACTS = process.env.DYNCREDS_CONSOLE_ARTIFACTS || new URL("artifacts/", import.meta.url).pathname;
const READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess";
const ROLE = "my-aws-read-only-role";

let temp, server, url, rootToken, browser, page, rootUser;
let shot = 0;

async function screenshot(name) {
  await page.screenshot({ path: join(ARTIFACTS, `${String(++shot).padStart(2, "0")}-${name}.png`), fullPage: true });
}

// Starts `dyncreds server` on a fresh store; resolves with its URL and root token.
function startServer(store) {
  return new Promise((resolve, reject) => {
    const child = spawn(CLI, ["server", `-store=${store}`, "-listen-address=127.0.0.1:0"], {
      env: { PATH: process.env.PATH, HOME: temp },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const onData = (chunk) => {
      out += chunk;
      const token = /Root Token: (\S+)/.exec(out);
      const listening = /listening on (http:\/\/[0-9.:]+)/.exec(out);
      if (token && listening) resolve({ child, url: listening[1], token: token[1], output: () => out });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

// sts:GetCallerIdentity through botocore with the keys; returns the ARN or the AWS error code.
function callerIdentity(key, secret, expectRefused = false) {
  const script = `
import sys, time, botocore.session, botocore.exceptions
c = botocore.session.get_session().create_client("sts", region_name="us-east-1", endpoint_url=sys.argv[1],
    aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3])
want_refused = sys.argv[4] == "1"
deadline = time.time() + 40
while True:
    try:
        arn = c.get_caller_identity()["Arn"]
        if not want_refused or time.time() > deadline:
            print(arn); break
    except botocore.exceptions.ClientError as e:
        code = e.response["Error"]["Code"]
        if want_refused or code != "InvalidClientTokenId" or time.time() > deadline:
            print(code); break
    time.sleep(0.5)
`;
  const r = spawnSync("/usr/bin/python3", ["-c", script, ENDPOINT.sts_endpoint, key, secret, expectRefused ? "1" : "0"],
    { encoding: "utf8", timeout: 60000 });
  return r.stdout.trim();
}

// The console's sign-in page, whatever the tab held before.
async function signedOut() {
  await page.goto(`${url}/ui/`);
  await page.evaluate(() => sessionStorage.clear());
  await page.reload();
  await page.getByLabel("Token").waitFor();
}

async function apiCall(method, path, body, token = rootToken) {
  const reply = await fetch(`${url}/v1/${path}`, {
    method, headers: { "X-Vault-Token": token, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await reply.text();
  return { status: reply.status, json: text ? JSON.parse(text) : null };
}

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  temp = mkdtempSync(join(tmpdir(), "dyncreds-console-"));
  server = await startServer(join(temp, "store.db"));
  ({ url, token: rootToken } = server);
  const made = await fetch(`${ENDPOINT.endpoint}/_admin/principals`, {
    method: "POST", body: JSON.stringify({ name: `vault-root-${Date.now().toString(36)}`, seeds_policy: true, statements: [] }),
  });
  rootUser = await made.json();
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on("dialog", (dialog) => dialog.accept());
});

after(async () => {
  await browser?.close();
  server?.child.kill("SIGTERM");
  if (temp) rmSync(temp, { recursive: true, force: true });
});

test("seed 000 in the browser: sign in, enable, configure, create a role, generate, use, revoke", async () => {
  await page.goto(`${url}/`);
  assert.match(page.url(), /\/ui\/$/);
  await page.getByLabel("Token").fill(rootToken);
  await screenshot("sign-in");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Secrets engines" }).waitFor();

  // Enable new engine: AWS, path left as aws.
  await page.getByRole("button", { name: "Enable engine" }).click();
  await page.getByRole("heading", { name: "Configure AWS: aws/" }).waitFor();
  await page.getByLabel("Access key").fill(rootUser.access_key_id);
  await page.getByLabel("Secret key").fill(rootUser.secret_access_key);
  // Seed 000 picks eu-central-1; the local endpoint answers as us-east-1.
  const regions = await page.getByLabel("Region").locator("option").count();
  assert.ok(regions >= 40, `the region picker lists ${regions} regions`);
  await page.getByLabel("Region").selectOption("us-east-1");
  await page.getByLabel("IAM endpoint").fill(ENDPOINT.iam_endpoint);
  await page.getByLabel("STS endpoint").fill(ENDPOINT.sts_endpoint);
  await screenshot("configure-aws");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByText("Saved.").first().waitFor();
  assert.equal(await page.getByLabel("Secret key").inputValue(), "");  // write-only: never shown back
  const root = await apiCall("GET", "aws/config/root");
  assert.equal(root.json.data.access_key, rootUser.access_key_id);

  // Create role: name, IAM User, a policy ARN added with "Add", no policy document.
  await page.getByRole("link", { name: "Roles" }).click();
  await page.getByRole("link", { name: "Create role" }).click();
  await page.getByLabel("Role name").fill(ROLE);
  await page.getByLabel("Credential type").selectOption("iam_user");
  await page.getByLabel("New Policy ARNs").fill(READ_ONLY);
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await screenshot("create-role");
  await page.getByRole("button", { name: "Create role" }).click();
  await page.getByRole("heading", { name: `Role ${ROLE}` }).waitFor();
  const role = await apiCall("GET", `aws/roles/${ROLE}`);
  assert.deepEqual(role.json.data.policy_arns, [READ_ONLY]);

  // Generate credentials with a lease duration.
  await page.getByLabel("Lease duration").fill("30m");
  await page.getByRole("button", { name: "Generate" }).click();
  await page.getByRole("heading", { name: "Credentials", exact: true }).waitFor();
  const cell = (label) => page.locator("tr", { has: page.getByRole("rowheader", { name: label, exact: true }) }).locator(".secret");
  const accessKey = await cell("Access key").textContent();
  const secretKey = await cell("Secret key").textContent();
  const leaseId = await cell("Lease ID").textContent();
  assert.match(accessKey, /^AKIA/);
  assert.match(leaseId, new RegExp(`^aws/creds/${ROLE}/`));
  await page.getByText(/left$/).waitFor();
  await screenshot("credentials");
  assert.match(callerIdentity(accessKey, secretKey), /:user\/vault-/);

  // Leaving the view drops the secret from the page; nothing was stored.
  await page.getByRole("link", { name: "Leases" }).click();
  await page.getByRole("heading", { name: `Leases of ${ROLE}` }).waitFor();
  assert.ok(!(await page.content()).includes(secretKey), "the secret key is still in the DOM");
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.ok(!stored.includes(secretKey), "the secret key is in web storage");
  assert.ok(!(await page.evaluate(() => localStorage.length)), "local storage is used");

  // Revoke from the UI: the key stops working.
  await screenshot("leases");
  await page.locator("tr", { hasText: leaseId }).getByRole("button", { name: "Revoke" }).click();
  await page.getByText("No leases.").waitFor();
  assert.equal(callerIdentity(accessKey, secretKey, true), "InvalidClientTokenId");
  assert.equal((await apiCall("PUT", "sys/leases/lookup", { lease_id: leaseId })).status, 400);
});

test("a bad policy document and a bad TTL show the field's error and change nothing", async () => {
  const before = (await apiCall("GET", `aws/roles/${ROLE}`)).json.data;
  await page.goto(`${url}/ui/#/engine/aws/role/${ROLE}/edit`);
  await page.getByLabel("Policy document").fill('{"Version": "2012-10-17", "Statement": [');
  await page.getByText(/policy_document: not valid JSON/).first().waitFor();
  await page.getByRole("button", { name: "Save role" }).click();
  await screenshot("bad-policy-document");
  assert.deepEqual((await apiCall("GET", `aws/roles/${ROLE}`)).json.data, before);

  await page.goto(`${url}/ui/#/engine/aws/role/${ROLE}`);
  await page.getByLabel("Lease duration").fill("forever");
  await page.getByRole("button", { name: "Generate" }).click();
  await page.getByRole("alert").filter({ hasText: "ttl" }).first().waitFor();
  await screenshot("bad-ttl");
  assert.equal((await apiCall("LIST", `sys/leases/lookup/aws/creds/${ROLE}/`)).status, 404);  // nothing issued
});

test("a token without rights sees permission denied and no data", async () => {
  const made = await apiCall("POST", "auth/token/create", { policies: ["nothing"], ttl: "10m" });
  await page.goto(`${url}/ui/`);
  // Signing out while the engines page still loads: the sign-in page must win.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByLabel("Token").fill(made.json.auth.client_token);
  await page.getByRole("button", { name: "Sign in" }).click();  // lookup-self is in the default policy
  await page.getByText("permission denied").first().waitFor();
  await screenshot("permission-denied");
  assert.ok(!(await page.content()).includes("aws/"), "a mount path is shown to a token that may not list mounts");
  await page.getByRole("button", { name: "Sign out" }).click();
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  await page.getByLabel("Token").waitFor();
});

test("status at a glance, then disabling the engine names its leases and revokes them", async () => {
  await signedOut();
  await page.getByLabel("Token").fill(rootToken);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Secrets engines" }).waitFor();
  const issued = await apiCall("POST", `aws/creds/${ROLE}`, {});
  assert.equal(issued.status, 200);
  await page.getByRole("link", { name: "Status" }).click();
  const active = page.locator(".card", { hasText: "Active leases" }).locator("strong");
  await active.waitFor();
  assert.equal(await active.textContent(), "1");
  await screenshot("status");
  let asked = "";
  page.once("dialog", (d) => { asked = d.message(); });
  await page.getByRole("link", { name: "Secrets engines" }).click();
  await page.locator("tr", { hasText: "aws/" }).getByRole("button", { name: "Disable" }).click();
  await page.getByRole("heading", { name: "Secrets engines" }).waitFor();
  await page.waitForFunction(() => !document.querySelector("tbody")?.textContent.includes("aws/"));
  assert.match(asked, /revokes its 1 leases/);
  assert.equal((await apiCall("PUT", "sys/leases/lookup", { lease_id: issued.json.lease_id })).status, 400);
  assert.equal(callerIdentity(issued.json.data.access_key, issued.json.data.secret_key, true), "InvalidClientTokenId");
});

test("usable by keyboard: sign in, add policy ARNs and remove one without a mouse", async () => {
  await signedOut();
  await page.getByLabel("Token").focus();
  await page.keyboard.type(rootToken);
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Secrets engines" }).waitFor();
  await page.goto(`${url}/ui/#/engine/aws/new-role`);
  await page.getByLabel("New Policy ARNs").focus();
  for (const arn of [READ_ONLY, "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]) {
    await page.keyboard.type(arn);
    await page.keyboard.press("Enter");  // adds, does not submit
  }
  const items = page.getByRole("list", { name: "Policy ARNs" }).getByRole("listitem");
  assert.equal(await items.count(), 2);
  await page.getByRole("button", { name: `Remove ${READ_ONLY}` }).focus();
  await page.keyboard.press("Enter");
  assert.equal(await items.count(), 1);
  // Enter in the ARN field never submitted the form: no request, no message.
  assert.equal(await page.locator(".form-status").textContent(), "");
  assert.ok(await page.getByRole("heading", { name: "Create role" }).isVisible());
});

test("the console is served with a strict Content-Security-Policy and no inline script", async () => {
  const reply = await fetch(`${url}/ui/`);
  const policy = reply.headers.get("content-security-policy");
  assert.match(policy, /default-src 'none'/);
  assert.match(policy, /script-src 'self'/);
  assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval/);
  const html = await reply.text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/);
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await signedOut();
  assert.deepEqual(errors, []);  // no CSP violation, no failed module
  await page.setViewportSize({ width: 390, height: 844 });  // a phone
  await screenshot("phone-width");
});
