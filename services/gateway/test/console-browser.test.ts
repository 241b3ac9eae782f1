/**
 * The web console in headless Debian Chromium (playwright-core) against the real mesh: each
 * scenario drives the screens as a person would, checks the page never reloads while a flow
 * runs, scans every screen with axe-core, and saves screenshots: all of them under .artifacts/
 * (git-ignored), the documentation's under docs/console/ (when missing, or all with CONSOLE_DOCS=1).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { DEV_JWT_SECRET } from "@migrate/config";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signDevToken } from "../src/auth/dev-token.ts";
import { type DiscoveryMesh, reviewSample, startDiscoveryMesh } from "./support/discovery-mesh.ts";
import { ROOT } from "./support/service-process.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// Keeps Chromium off the network: no updates, no sync, no background fetches, no QUIC probes.
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];
const ARTIFACTS = resolve(ROOT, ".artifacts/console");
const DOCS = resolve(ROOT, "docs/console");
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const FLOW_URL = /\/flows\/([0-9a-f-]{36})$/;

let mesh: DiscoveryMesh;
let browser: Browser;
const sample = reviewSample();
const contexts: BrowserContext[] = [];

interface Tab {
  page: Page;
  /** Console errors and warnings, and uncaught page errors. */
  problems: string[];
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: run npm run setup (it runs apt-get install -y chromium)`);
  }
  if (!existsSync(resolve(ROOT, "services/gateway/console/dist/index.html"))) {
    throw new Error("the web console is not built: run npm run setup");
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  mkdirSync(DOCS, { recursive: true });
  // The development secret: the gateway then offers the console's development sign-in.
  [mesh, browser] = await Promise.all([
    startDiscoveryMesh({ gatewayEnv: { JWT_SECRET: DEV_JWT_SECRET } }),
    chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS }),
  ]);
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
  await mesh?.stop();
});

async function openTab(viewport: { width: number; height: number }): Promise<Tab> {
  const context = await browser.newContext({ viewport, acceptDownloads: true, reducedMotion: "reduce" });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning")
      problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  return { page, problems };
}

// The documentation's images are rewritten only when missing or asked for (CONSOLE_DOCS=1), so a test
// run does not leave every committed screenshot modified.
const REFRESH_DOCS = process.env.CONSOLE_DOCS === "1";

/** Saves the screenshot as an artifact, and as a documentation image when `doc` is set. */
async function shot(page: Page, name: string, doc = false): Promise<void> {
  const png = await page.screenshot({ type: "png" });
  writeFileSync(resolve(ARTIFACTS, `${name}.png`), png);
  const docFile = resolve(DOCS, `${name}.png`);
  if (doc && (REFRESH_DOCS || !existsSync(docFile))) writeFileSync(docFile, png);
}

const AXE = readFileSync(resolve(ROOT, "node_modules/axe-core/axe.min.js"), "utf8");

/** axe-core in the page (evaluated, so the page's CSP stays as served): no serious or critical violation. */
async function scan(page: Page, screen: string): Promise<void> {
  await page.evaluate(`${AXE};undefined`);
  const violations = (await page.evaluate(
    `axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } })
       .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) })))`,
  )) as { id: string; impact: string; help: string; nodes: string[] }[];
  const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(serious, `axe on ${screen}: ${JSON.stringify(serious, null, 1)}`).toEqual([]);
}

async function signIn(page: Page, client: string, role = "analyst"): Promise<void> {
  await page.goto(`${mesh.mesh.gatewayUrl}/`);
  await page.waitForURL(/\/sign-in$/);
  await page.getByLabel("Client account").fill(client);
  await page.getByLabel("Role").selectOption(role);
  await page.getByRole("button", { name: "Sign in for development" }).click();
  await visible(page.getByRole("heading", { name: "Flows", level: 1 }));
  await hasText(page.getByRole("region", { name: "Signed in as" }), client);
}

/** Marks the document; `sameDocument` later proves no reload happened in between. */
const markDocument = (page: Page) => page.evaluate("window.__consoleMark = 1");
const sameDocument = async (page: Page) => (await page.evaluate("window.__consoleMark === 1")) as boolean;

async function upload(page: Page, name: string, inventory: { name: string; content: string }, connections?: string) {
  await page.getByRole("link", { name: "New flow" }).first().click();
  await visible(page.getByRole("heading", { name: "New flow" }));
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Inventory (CSV or JSON)").setInputFiles({
    name: inventory.name,
    mimeType: "text/csv",
    buffer: Buffer.from(inventory.content),
  });
  if (connections) {
    await page.getByLabel("Network connections (optional CSV)").setInputFiles({
      name: "connections.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(connections),
    });
  }
  await page.getByRole("button", { name: "Upload and start" }).click();
}

/** Waits until the locator shows. */
const visible = (locator: Locator, options: { timeout?: number } = {}) =>
  locator.first().waitFor({ state: "visible", timeout: options.timeout ?? 20_000 });

/** Waits until the locator's text contains (or, exact, is or matches) `text`. */
async function hasText(
  locator: Locator,
  text: string | RegExp,
  options: { timeout?: number; exact?: boolean } = {},
): Promise<void> {
  const read = async () =>
    (
      (await locator
        .first()
        .textContent({ timeout: 2_000 })
        .catch(() => "")) ?? ""
    ).trim();
  const timeout = options.timeout ?? 20_000;
  if (text instanceof RegExp) await expect.poll(read, { timeout, interval: 200 }).toMatch(text);
  else if (options.exact) await expect.poll(read, { timeout, interval: 200 }).toBe(text);
  else await expect.poll(read, { timeout, interval: 200 }).toContain(text);
}

const cleanProblems = (tab: Tab) => expect(tab.problems, tab.problems.join("\n")).toEqual([]);

describe("the web console in Chromium against the real mesh", () => {
  const tenant = () => mesh.tenant("console");
  let owner = "";
  let flowId = "";
  let desktop: Tab;

  it("(a) development sign-in, upload, live progress to the review, one mapping corrected, completion live", async () => {
    owner = tenant();
    desktop = await openTab(DESKTOP);
    const { page } = desktop;
    await page.goto(`${mesh.mesh.gatewayUrl}/`);
    await visible(page.getByRole("heading", { name: "Sign in" }));
    await scan(page, "sign-in");
    await shot(page, "sign-in", true);
    await signIn(page, owner);
    await visible(page.getByText("No flows yet for this tenant"));
    await scan(page, "flows (empty)");
    await markDocument(page);

    await upload(
      page,
      "Console estate",
      { name: "inventory.csv", content: sample.inventoryCsv },
      sample.connectionsCsv,
    );
    await page.waitForURL(FLOW_URL, { timeout: 30_000 });
    flowId = FLOW_URL.exec(page.url())?.[1] ?? "";
    // Live: the stream moves the flow to its review with no reload and no polling.
    await visible(page.getByText("This flow waits for you"), { timeout: 60_000 });
    await hasText(page.getByTestId("live-mode"), "live", { exact: true });
    expect(await sameDocument(page)).toBe(true);
    await visible(page.getByRole("heading", { name: "Events" }));
    await hasText(page.locator(".events"), "flow.awaiting_input");
    await scan(page, "flow detail");
    await shot(page, "flow-awaiting-review", true);

    await page.getByRole("link", { name: "Review the mappings" }).click();
    await visible(page.getByRole("heading", { name: "Mapping review" }));
    // The column below the threshold comes first.
    await hasText(page.locator("table.review tbody tr").first(), "Computr");
    // With a few of its values, read from the file this tab uploaded.
    await hasText(page.locator("table.review tbody tr").first(), "e.g. auth-web-00000 · erp-db-00001");
    await scan(page, "mapping review");
    await shot(page, "mapping-review");

    // A correction the API refuses (two columns on one target): its message beside the column.
    const target = page.getByLabel("Target for Computr");
    await target.fill("operating_system");
    await page.getByRole("button", { name: "Approve with 1 correction" }).click();
    await hasText(page.getByRole("alert").filter({ hasText: "The review was refused" }), "INVALID_ARGUMENT");
    await hasText(page.locator("tr.refused", { hasText: "Computr" }), "would both map to operating_system");
    await page.evaluate("document.querySelector('table.review').scrollIntoView({ block: 'start' })");
    await shot(page, "mapping-review-refused", true);
    // Chromium itself notes the refused request (400) in the console; that one was asked for.
    expect(desktop.problems.map((p) => p.replace(/\(.*\)$/, ""))).toEqual([
      "error: Failed to load resource: the server responded with a status of 400 ",
    ]);
    desktop.problems.length = 0;

    await target.fill("hostname");
    await page.getByRole("button", { name: "Approve with 1 correction" }).click();
    await page.waitForURL(FLOW_URL);
    await hasText(page.getByTestId("flow-phase"), "Completed", { timeout: 90_000 });
    await hasText(page.locator(".badge").first(), "completed", { exact: true });
    expect(await sameDocument(page)).toBe(true);
    await visible(page.getByRole("heading", { name: "Data quality" }));
    await visible(page.getByText(/Quality score/));
    await scan(page, "flow detail (completed)");
    await shot(page, "flow-completed", true);

    await page.getByRole("link", { name: "Flows", exact: true }).first().click();
    await visible(page.getByRole("link", { name: "Console estate" }));
    await scan(page, "flows");
    await shot(page, "flows", true);
    cleanProblems(desktop);
  }, 180_000);

  it("(b) the corrected hostnames in the assets table, filtered by strategy, then exported", async () => {
    const { page } = desktop;
    await page.goto(`${mesh.mesh.gatewayUrl}/flows/${flowId}/assets`);
    await visible(page.getByRole("heading", { name: "Assets" }));
    const rows = page.locator("table.assets tbody tr");
    await visible(rows.first());
    // "Computr" was corrected to hostname: the server names are the hostnames now.
    await hasText(page.locator("table.assets tbody td[data-column=hostname]").first(), /^[a-z]+-[a-z]+-\d{5}$/, {
      exact: true,
    });
    const strategy = ((await rows.first().locator("td[data-column=strategy]").textContent()) ?? "").split(" ")[0] ?? "";
    expect(strategy).toMatch(/^(rehost|relocate|replatform|refactor|repurchase|retire|retain)$/);
    await page.getByLabel("Strategy", { exact: true }).selectOption(strategy);
    // The server filters: the table shows the previous page (aria-busy) until the filtered one arrives.
    await visible(page.locator('table.assets[aria-busy="false"]'));
    await hasText(page.locator("table.assets caption"), /assets match the filters/);
    const strategies = await page.locator("table.assets tbody td[data-column=strategy]").allTextContents();
    expect(strategies.length).toBeGreaterThan(0);
    expect(strategies.every((cell) => cell.startsWith(`${strategy} `))).toBe(true);
    await scan(page, "assets");
    await shot(page, "assets-by-strategy", true);
    // One asset's detail: every field it has and its strategy's rationale.
    await rows.first().locator("td[data-column=row_number] button").click();
    await visible(page.getByRole("heading", { name: /^Asset \d+: / }));
    await hasText(page.locator(".asset-detail"), strategy);
    await scan(page, "asset detail");
    await page.getByRole("button", { name: "Close details" }).click();

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export CSV (current filter)" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`flow-${flowId}-assets-strategy-${strategy}.csv`);
    const file = resolve(ARTIFACTS, download.suggestedFilename());
    await download.saveAs(file);
    const [header = "", ...lines] = readFileSync(file, "utf8").trim().split(/\r\n/);
    const column = header.split(",").indexOf("strategy");
    expect(column).toBeGreaterThan(0);
    expect(lines.length).toBeGreaterThanOrEqual(strategies.length);
    expect(lines.every((line) => line.split(",")[column] === strategy)).toBe(true);
    cleanProblems(desktop);
  }, 60_000);

  it("(b2) applications, the dependency graph drawn on canvas and focused on one application, the strategy chart", async () => {
    const { page } = desktop;
    await page.getByRole("link", { name: "Applications", exact: true }).click();
    await visible(page.getByRole("heading", { name: "Applications", level: 1 }));
    const firstApp = page.locator("table tbody tr th a").first();
    await visible(firstApp);
    await scan(page, "applications");
    await shot(page, "applications", true);

    await page.getByRole("link", { name: "Dependencies", exact: true }).click();
    const graph = page.getByTestId("dependency-graph");
    await visible(graph);
    expect(Number(await graph.getAttribute("data-nodes"))).toBeGreaterThan(1);
    // Drawn: some pixel of Cytoscape's canvases is painted.
    await expect
      .poll(
        () =>
          page.evaluate(`[...document.querySelectorAll('[data-testid=dependency-graph] canvas')].some((c) => {
            const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
            for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true;
            return false;
          })`),
        { timeout: 10_000 },
      )
      .toBe(true);
    const name = (await page.locator("#graph-nodes option").first().getAttribute("value")) ?? "";
    expect(name).not.toBe("");
    await page.getByLabel("Focus on application").fill(name);
    await hasText(page.getByRole("status").filter({ hasText: "Focused on" }), `Focused on ${name} and its neighbours`);
    await shot(page, "dependencies-focused", true);
    // The server-level graph of that application: its servers and their connections.
    await page.getByRole("button", { name: "Show its servers" }).click();
    await hasText(page.getByRole("status").filter({ hasText: "Servers of" }), `Servers of ${name}`);
    expect(Number(await graph.getAttribute("data-edges"))).toBeGreaterThan(0);
    expect(Number(await graph.getAttribute("data-nodes"))).toBeGreaterThan(1);
    await scan(page, "dependencies");
    await shot(page, "dependencies-servers", true);

    await page.getByRole("link", { name: "Strategy and waves", exact: true }).click();
    const chart = page.getByRole("img", { name: /^Assets per strategy: / });
    await visible(chart);
    expect(await chart.getAttribute("aria-label")).toMatch(
      /(rehost|replatform|refactor|repurchase|retire|retain|relocate) \d+/,
    );
    await visible(page.getByRole("heading", { name: "Waves" }));
    await hasText(page.locator(".waves li").first(), "Wave 1");
    await scan(page, "strategy");
    await shot(page, "strategy", true);

    // Learning kept the review's correction for this tenant.
    await page.getByRole("link", { name: "Learned patterns" }).click();
    await visible(page.getByRole("heading", { name: "Learned patterns" }));
    await hasText(page.locator("table tbody tr", { hasText: "Computr" }), "hostname");
    await scan(page, "learned patterns");
    await shot(page, "learned-patterns", true);
    await page.getByRole("link", { name: "Usage", exact: true }).click();
    await visible(page.getByRole("heading", { name: "Budget" }));
    await visible(page.getByText("No LLM calls this month"));
    await scan(page, "usage");
    await shot(page, "usage", true);
    cleanProblems(desktop);
  }, 90_000);

  it("(c) another tenant sees none of it; a bad upload shows the API's message", async () => {
    const other = await openTab(DESKTOP);
    const { page } = other;
    // A pasted token the gateway refuses sends the person back to sign-in with the gateway's reason.
    const expired = await signDevToken({ client: tenant(), sub: "late", secret: DEV_JWT_SECRET, expiresIn: -60 });
    await page.goto(`${mesh.mesh.gatewayUrl}/`);
    await page.getByLabel("Token (JWT)").fill(expired);
    await page.getByRole("button", { name: "Use token" }).click();
    await hasText(page.getByRole("alert").filter({ hasText: "Signed out" }), "Signed out: token expired");
    await shot(page, "sign-in-expired");
    // By keyboard alone: the skip link comes first, and Enter in the form signs in.
    await page.goto(`${mesh.mesh.gatewayUrl}/sign-in`);
    await visible(page.getByRole("heading", { name: "Sign in" }));
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement.textContent")).toBe("Skip to content");
    await page.getByLabel("Role").focus();
    await page.keyboard.press("ArrowUp");
    await page.getByLabel("Client account").focus();
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.type(tenant());
    await page.keyboard.press("Enter");
    await visible(page.getByRole("heading", { name: "Flows", level: 1 }));
    // A viewer is not offered what it may not do.
    await hasText(page.getByRole("region", { name: "Signed in as" }), "(viewer)");
    expect(await page.getByRole("link", { name: "New flow" }).count()).toBe(1);
    await page.getByRole("link", { name: "New flow" }).click();
    await hasText(page.locator(".notice"), "only read");
    await page.getByRole("button", { name: "Sign out" }).click();
    await signIn(page, tenant());
    await visible(page.getByText("No flows yet for this tenant"));
    await page.goto(`${mesh.mesh.gatewayUrl}/flows/${flowId}`);
    await hasText(page.getByRole("alert"), "NOT_FOUND");
    await shot(page, "other-tenant-not-found");

    const refused = "Server Name,IP Address\n";
    const token = await signDevToken({
      client: tenant(),
      sub: "tester",
      roles: ["analyst"],
      secret: DEV_JWT_SECRET,
      expiresIn: "5m",
    });
    const direct = await mesh.api(`/v1/flows?name=x`, token, {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: refused,
    });
    const expected = ((await direct.json()) as { error: { code: string; message: string } }).error;
    expect(direct.status).toBe(400);
    await page.goto(`${mesh.mesh.gatewayUrl}/`);
    await upload(page, "Broken", { name: "broken.csv", content: refused });
    const alert = page.getByRole("alert").filter({ hasText: "The upload was refused" });
    await hasText(alert, expected.message);
    await hasText(alert, expected.code);
    await scan(page, "new flow (refused)");
    await shot(page, "upload-refused", true);

    // Actions where the status allows them: a flow waiting for its review can be cancelled from the list.
    await page.getByLabel("Name").fill("To cancel");
    await page.getByLabel("Inventory (CSV or JSON)").setInputFiles({
      name: "inventory.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(sample.inventoryCsv),
    });
    await page.getByRole("button", { name: "Upload and start" }).click();
    await visible(page.getByText("This flow waits for you"), { timeout: 60_000 });
    await page.getByRole("link", { name: "Flows", exact: true }).first().click();
    await page.getByRole("button", { name: "Cancel flow To cancel" }).click();
    await hasText(page.locator("tr", { hasText: "To cancel" }).locator(".badge"), "cancelled", { exact: true });
    // Only the browser's own notes of the refused requests (404, 400), nothing from the console.
    expect(other.problems.filter((p) => !p.includes("Failed to load resource"))).toEqual([]);
  }, 150_000);

  it("(c2) with the event stream cut, the flow page falls back to polling and still sees the flow complete; an admin sees pricing", async () => {
    const cut = await openTab(DESKTOP);
    const { page } = cut;
    await page.route("**/migrate.gateway.v1.FlowsService/WatchFlow", (route) => route.abort());
    await signIn(page, tenant(), "admin");
    await markDocument(page);
    const csv = "hostname,ip_address,cpu_cores,memory_gb\nweb-01,10.0.0.1,4,16\ndb-01,10.0.0.2,8,64\n";
    await upload(page, "Polled estate", { name: "small.csv", content: csv });
    await page.waitForURL(FLOW_URL, { timeout: 30_000 });
    await hasText(page.getByTestId("live-mode"), "stream lost: polling", { exact: true });
    await hasText(page.getByTestId("flow-phase"), "Completed", { timeout: 60_000 });
    expect(await sameDocument(page)).toBe(true);
    // An admin also sees the model pricing table.
    await page.getByRole("link", { name: "Usage", exact: true }).click();
    await visible(page.getByRole("heading", { name: "Model pricing (USD per million tokens)" }));
    await visible(page.locator(".pricing tbody tr").first());
    await scan(page, "usage (admin)");
    // Only the browser's notes of the cut stream.
    expect(cut.problems.filter((p) => !p.includes("Failed to load resource"))).toEqual([]);
  }, 90_000);

  it("(d) the same at 390x844: upload, live review, approve, completion, assets", async () => {
    const phone = await openTab(PHONE);
    const { page } = phone;
    await signIn(page, tenant());
    await markDocument(page);
    await upload(page, "Phone estate", { name: "inventory.csv", content: sample.inventoryCsv }, sample.connectionsCsv);
    await page.waitForURL(FLOW_URL, { timeout: 30_000 });
    const id = FLOW_URL.exec(page.url())?.[1] ?? "";
    await visible(page.getByText("This flow waits for you"), { timeout: 60_000 });
    await shot(page, "phone-flow-awaiting-review", true);
    await page.getByRole("link", { name: "Review the mappings" }).click();
    await visible(page.getByRole("heading", { name: "Mapping review" }));
    await scan(page, "mapping review (phone)");
    await shot(page, "phone-mapping-review", true);
    await page.getByLabel("Target for Computr").fill("hostname");
    await page.getByRole("button", { name: "Approve with 1 correction" }).click();
    await hasText(page.getByTestId("flow-phase"), "Completed", { timeout: 90_000 });
    expect(await sameDocument(page)).toBe(true);
    await scan(page, "flow detail (phone)");
    await page.getByRole("link", { name: "Assets" }).click();
    await visible(page.locator("table.assets tbody tr").first());
    await scan(page, "assets (phone)");
    await page.getByRole("link", { name: "Flows", exact: true }).first().click();
    await visible(page.getByRole("link", { name: "Phone estate" }));
    await scan(page, "flows (phone)");
    await shot(page, "phone-flows", true);
    // Nothing wider than the screen: tables scroll inside their own box.
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(PHONE.width);
    expect(id).not.toBe(flowId);
    cleanProblems(phone);
  }, 180_000);
});
