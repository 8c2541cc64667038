// The sandbox, driven in Chromium exactly as a person would: `npm run sandbox` (the README's first
// command, not a different wiring) on a temporary database; the simulated store, ECPay's pages,
// the simulated Shopify admin and each app's own admin. Screenshots of the key steps go to
// tests/artifacts/sandbox/ (git-ignored); UPDATE_README_SCREENSHOTS=1 writes them to docs/sandbox/
// instead, where the README's walk-through uses them.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test, expect, type Page } from "@playwright/test";
import { bilingual } from "../../app/i18n";
import { METHOD_HANDLES, type MethodHandle } from "../../app/payments/methods";
import { SANDBOX_PRODUCTION_MERCHANT, SANDBOX_SHOP } from "../../app/sandbox/demo-shop";
import { freePort } from "../support/free-port";

const SHOTS = path.resolve(process.env.UPDATE_README_SCREENSHOTS === "1" ? "docs/sandbox" : "tests/artifacts/sandbox");
const TEST_CARD = { number: "4311-9522-2222-2222", cvv: "222", expiry: "12/35" };

// ---------- the sandbox process ----------

interface Sandbox {
  child: ChildProcess;
  /** Resolves when every process holding the output pipe has gone (all output is in). */
  outputClosed: Promise<void>;
  storeUrl: string;
  output: string[];
  /** Every process the command started (npm, sh, tsx, the sandbox, the server, esbuild). */
  pids(): number[];
}

function procStat(pid: number): { ppid: number; pgid: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(fields[1]), pgid: Number(fields[2]) };
  } catch {
    return null;
  }
}

/** Live processes of the command's process group, and their descendants. */
function processTree(root: number): number[] {
  const all = readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map((name) => ({ pid: Number(name), stat: procStat(Number(name)) }))
    .filter((p): p is { pid: number; stat: { ppid: number; pgid: number } } => p.stat !== null);
  const found = new Set(all.filter((p) => p.pid === root || p.stat.pgid === root).map((p) => p.pid));
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) {
      if (!found.has(p.pid) && found.has(p.stat.ppid)) {
        found.add(p.pid);
        grew = true;
      }
    }
  }
  return [...found];
}

async function startSandbox(env: Record<string, string>): Promise<Sandbox> {
  // Its own process group, like a terminal's foreground job: Ctrl-C signals the whole group.
  const child = spawn("npm", ["run", "sandbox"], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const output: string[] = [];
  const outputClosed = Promise.all([
    new Promise<void>((resolve) => child.stdout!.once("close", () => resolve())),
    new Promise<void>((resolve) => child.stderr!.once("close", () => resolve())),
  ]).then(() => undefined);
  const storeUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL after 240 s:\n${output.join("\n")}`)), 240_000);
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (!line.trim()) continue;
        output.push(line);
        const url = /(http:\/\/\S+)/.exec(line)?.[1];
        if (url) {
          clearTimeout(timer);
          resolve(url);
        }
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`npm run sandbox exited with ${code}:\n${output.join("\n")}`));
    });
  });
  const pid = child.pid!;
  const seen = new Set<number>();
  return {
    child,
    outputClosed,
    storeUrl,
    output,
    pids() {
      for (const p of processTree(pid)) seen.add(p);
      return [...seen];
    },
  };
}

/** Ctrl-C: SIGINT to the foreground process group; every process must be gone within 20 s. */
async function interrupt(sandbox: Sandbox): Promise<number[]> {
  const pids = sandbox.pids();
  process.kill(-sandbox.child.pid!, "SIGINT");
  const deadline = Date.now() + 20_000;
  let alive = pids;
  while (Date.now() < deadline) {
    alive = pids.filter((pid) => procStat(pid) !== null);
    if (alive.length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return alive;
}

// ---------- shopper and merchant steps ----------

let sandbox: Sandbox;
let tmp: string;
let env: Record<string, string>;
const origin = () => new URL(sandbox.storeUrl).origin;
const adminBase = () => `${origin()}/admin/${encodeURIComponent(SANDBOX_SHOP)}`;

async function shot(page: Page, name: string) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** From the store to ECPay's payment page for `method`. */
async function checkout(page: Page, method: MethodHandle) {
  await page.goto(sandbox.storeUrl);
  await page.locator("#go-to-checkout").click();
  await chooseAndPay(page, method);
}

async function chooseAndPay(page: Page, method: MethodHandle) {
  await page.locator(`#method-${method}`).check();
  await page.locator("#pay-now").click();
  // Our hand-off page submits the form to ECPay by itself.
  await page.waitForURL(/\/Emulator\/Payment\//);
}

async function payWithCard(page: Page) {
  await page.locator("#card-number").fill(TEST_CARD.number);
  await page.locator("#card-expiry").fill(TEST_CARD.expiry);
  await page.locator("#card-cvv").fill(TEST_CARD.cvv);
  await page.locator("#pay").click();
}

/** The buyer is back on Shopify's order status page; returns the order's admin URL. */
async function expectThankYou(page: Page, status: string): Promise<string> {
  await page.waitForURL(/\/thank-you/, { timeout: 30_000 });
  await expect(page.getByTestId("financial-status")).toHaveAttribute("data-status", status);
  const id = await page.getByTestId("order-id").getAttribute("data-order-id");
  return `${adminBase()}/orders/${id}`;
}

/** ECPay's ATM page → back to the shop → our page repeating the account → Shopify's order status. */
async function leaveAtmPage(page: Page) {
  await page.locator("#back-to-shop").click();
  await expect(page.locator("#atm-account")).toHaveText(/^\d+$/);
  await page.locator("#back-to-store").click({ timeout: 30_000 });
}

/** A sale or authorization paid through ECPay's page for `method`; returns the order's admin URL. */
async function paidOrder(page: Page, method: MethodHandle, expected = "paid"): Promise<string> {
  await checkout(page, method);
  if (["credit", "installments", "redeem", "unionpay"].includes(method)) await payWithCard(page);
  else await page.locator("#pay").click();
  if (method === "unionpay") {
    // ECPay sends no OrderResultURL for UnionPay: the buyer clicks "back to the shop".
    await page.locator("#back-to-shop").click();
  }
  return expectThankYou(page, expected);
}

/** The order's status as Shopify's admin shows it, once it settles on `status`. */
async function expectOrderStatus(page: Page, orderUrl: string, status: string, label?: string) {
  await expect(async () => {
    await page.goto(orderUrl);
    await expect(page.getByTestId("financial-status")).toHaveAttribute("data-status", status, { timeout: 500 });
  }).toPass({ timeout: 30_000 });
  if (label) await expect(page.getByTestId("financial-status")).toContainText(label);
}

async function refund(page: Page, orderUrl: string, amount: number | null) {
  await page.goto(orderUrl);
  if (amount !== null) await page.locator("#refund-amount").fill(String(amount));
  await page.locator("#refund-button").click();
  await expect(page.locator("#admin-notice")).toBeVisible();
}

/** A refund the app rejects: the merchant sees its message; nothing is refunded. */
async function expectRefundRejected(page: Page, orderUrl: string, amount: number | null, message: string) {
  await refund(page, orderUrl, amount);
  await expect(async () => {
    await page.goto(orderUrl);
    await expect(page.locator('[data-testid="transaction-refund"][data-state="rejected"]').last()).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 30_000 });
  await expect(page.locator('[data-testid="transaction-refund"] [data-testid="merchant-message"]').last()).toHaveText(message);
  await expect(page.getByTestId("order-refunded")).toHaveText("NT$0");
}

async function settings(page: Page, options: { manual: boolean; live: boolean }) {
  await page.goto(`${adminBase()}/settings`);
  await page.locator(options.manual ? "#capture-manual" : "#capture-automatic").check();
  await page.locator("#test-mode").setChecked(!options.live);
  await page.locator("#save-settings").click();
  await expect(page.locator("#settings-saved")).toBeVisible();
}

/**
 * Console errors and failed page loads fail the test, naming the page. The one tolerated error:
 * the server has no /favicon.ico (a browser fetch, not part of any page we render).
 */
function watchConsole(page: Page) {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const source = message.location().url;
    if (/^http:\/\/127\.0\.0\.1:\d+\/favicon\.ico$/.test(source) && new URL(source).port === env.PORT) return;
    errors.push(`on ${page.url()}: ${message.text()} ${source}`);
  });
  page.on("pageerror", (error) => errors.push(`on ${page.url()}: ${error.message}`));
  page.on("response", (response) => {
    if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
  });
  return { assertClean: () => expect(errors, errors.join("\n")).toEqual([]) };
}

const paidOrders = new Map<MethodHandle, string>();
/** A second UnionPay order, refunded in full at once (the first is refunded in part). */
let unionpayToRefundInFull: string;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(300_000);
  mkdirSync(SHOTS, { recursive: true });
  tmp = mkdtempSync(path.join(os.tmpdir(), "ecpay-sandbox-"));
  env = { PORT: String(await freePort()), SANDBOX_DATABASE_URL: `file:${path.join(tmp, "sandbox.sqlite")}` };
  sandbox = await startSandbox(env);
});

test.afterAll(async () => {
  if (sandbox && procStat(sandbox.child.pid!) !== null) await interrupt(sandbox);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test("prints one URL: the simulated store, with the eight ECPay methods at checkout", async ({ page }) => {
  const urls = sandbox.output.join("\n").match(/https?:\/\/\S+/g) ?? [];
  expect(urls).toEqual([sandbox.storeUrl]);
  expect(sandbox.storeUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/store\/ecpay-sandbox\.myshopify\.com$/);
  const console = watchConsole(page);
  await page.goto(sandbox.storeUrl);
  await shot(page, "01-store");
  await page.locator("#go-to-checkout").click();
  for (const method of METHOD_HANDLES) await expect(page.locator(`#method-${method}`)).toBeVisible();
  await shot(page, "02-checkout");
  console.assertClean();
});

test("pays with every method in test mode (UnionPay in live mode: ECPay's stage has none)", async ({ page }) => {
  const console = watchConsole(page);
  await checkout(page, "credit");
  await expect(page.locator("#test-card-hint")).toBeVisible();
  await shot(page, "03-ecpay-card");
  await payWithCard(page);
  paidOrders.set("credit", await expectThankYou(page, "paid"));

  await checkout(page, "installments");
  const periods = await page.locator("#installment-period option").count();
  await page.locator("#installment-period").selectOption({ index: periods - 1 });
  await payWithCard(page);
  paidOrders.set("installments", await expectThankYou(page, "paid"));

  await checkout(page, "redeem");
  await expect(page.locator("#use-redeem")).toBeChecked();
  await payWithCard(page);
  paidOrders.set("redeem", await expectThankYou(page, "paid"));

  for (const method of ["webatm", "twqr", "wechatpay"] as const) paidOrders.set(method, await paidOrder(page, method));

  // ATM: a virtual account, pending; then the bank transfer on ECPay's page.
  await checkout(page, "atm");
  const ecpayPage = page.url();
  await expect(page.locator("#atm-account")).toHaveText(/^\d+$/);
  await shot(page, "04-ecpay-atm-account");
  await leaveAtmPage(page);
  const atmOrder = await expectThankYou(page, "pending");
  await expectOrderStatus(page, atmOrder, "pending", "付款待處理");
  await shot(page, "05-order-atm-pending");
  await page.goto(ecpayPage);
  await page.locator("#simulate-transfer").click();
  await expectOrderStatus(page, atmOrder, "paid", "已付款");
  paidOrders.set("atm", atmOrder);

  await settings(page, { manual: false, live: true });
  await shot(page, "06-settings-live");
  await checkout(page, "unionpay");
  await expect(page.locator("#test-card-hint")).toHaveCount(0);
  await payWithCard(page);
  await page.locator("#back-to-shop").click();
  paidOrders.set("unionpay", await expectThankYou(page, "paid"));
  unionpayToRefundInFull = await paidOrder(page, "unionpay");
  await settings(page, { manual: false, live: false });
  console.assertClean();
});

test("applies each method's refund rule, showing the app's message when it refuses", async ({ page }) => {
  const console = watchConsole(page);
  // Credit and UnionPay (live: through ECPay's DoAction): partial refunds; credit then the rest.
  for (const method of ["credit", "unionpay"] as const) {
    const order = paidOrders.get(method)!;
    await refund(page, order, 500);
    await expectOrderStatus(page, order, "partially_refunded", "部分金額已退款");
  }
  await shot(page, "07-order-partially-refunded");
  await refund(page, paidOrders.get("credit")!, null);
  await expectOrderStatus(page, paidOrders.get("credit")!, "refunded", "已退款");
  // UnionPay in full at once (the partially refunded one stays so in the order list).
  await refund(page, unionpayToRefundInFull, null);
  await expectOrderStatus(page, unionpayToRefundInFull, "refunded", "已退款");
  // Installments and bonus-point redemption: full refunds only. A partial one is refused with the
  // app's message (in both languages, as every merchantMessage) and refunds nothing; the full refund then goes through.
  for (const method of ["installments", "redeem"] as const) {
    const order = paidOrders.get(method)!;
    await expectRefundRejected(page, order, 500, bilingual("refund.fullOnly"));
    if (method === "installments") await shot(page, "08-order-partial-refund-rejected");
    await expectOrderStatus(page, order, "paid", "已付款");
    await refund(page, order, null);
    await expectOrderStatus(page, order, "refunded", "已退款");
  }
  // ATM and WebATM: no online refund; TWQR and WeChat Pay: OPay's back office.
  for (const method of ["atm", "webatm"] as const) await expectRefundRejected(page, paidOrders.get(method)!, null, bilingual("refund.contactBuyer"));
  for (const method of ["twqr", "wechatpay"] as const) await expectRefundRejected(page, paidOrders.get(method)!, null, bilingual("refund.opayBackOffice"));
  console.assertClean();
});

test("authorizes in live mode with manual capture, then captures one and voids another (each card method)", async ({ page }) => {
  const console = watchConsole(page);
  await settings(page, { manual: true, live: true });
  for (const method of ["credit", "installments", "redeem"] as const) {
    const captured = await paidOrder(page, method, "authorized");
    await expectOrderStatus(page, captured, "authorized", "已授權");
    if (method === "credit") await shot(page, "09-order-authorized");
    await page.locator("#capture-button").click();
    await expectOrderStatus(page, captured, "paid", "已付款");

    const voided = await paidOrder(page, method, "authorized");
    await page.goto(voided);
    await page.locator("#void-button").click();
    await expectOrderStatus(page, voided, "voided", "已作廢");
    if (method === "credit") await shot(page, "10-order-voided");

    if (method === "credit") {
      // Cancel order with refund on the captured live order: ECPay refunds through DoAction.
      await page.goto(captured);
      await page.locator("#cancel-order-button").click();
      await expectOrderStatus(page, captured, "refunded", "已退款");
      await expect(page.getByTestId("cancelled-badge")).toHaveText(/已取消/);
      await shot(page, "11-order-cancelled-refunded");
    }
  }
  await settings(page, { manual: false, live: false });
  console.assertClean();
});

test("lets an unpaid ATM account pass its deadline: pending, then expired", async ({ page }) => {
  const console = watchConsole(page);
  await checkout(page, "atm");
  await leaveAtmPage(page);
  const order = await expectThankYou(page, "pending");
  await page.goto(order);
  await page.locator("#tool-expire-atm").click();
  await expectOrderStatus(page, order, "expired", "已過期");
  await shot(page, "12-order-atm-expired");
  console.assertClean();
});

test("lets a buyer cancel on ECPay's page and pay with another method", async ({ page }) => {
  const console = watchConsole(page);
  await checkout(page, "credit");
  await page.locator("#cancel").click();
  // ECPay sends the buyer back; our page offers a retry or another method (Shopify's cancel_url).
  await page.locator("#change-method").click({ timeout: 30_000 });
  await expect(page.locator("#checkout-notice")).toBeVisible();
  await shot(page, "13-checkout-after-cancel");
  await chooseAndPay(page, "twqr");
  await page.locator("#pay").click();
  const order = await expectThankYou(page, "paid");
  await expectOrderStatus(page, order, "paid", "已付款");
  // Every status Shopify shows, side by side in the merchant's order list.
  await page.goto(`${adminBase()}/orders`);
  for (const label of ["已付款", "已作廢", "已退款", "部分金額已退款", "已過期", "已取消"]) {
    await expect(page.locator("#orders-table").getByText(label).first()).toBeVisible();
  }
  await shot(page, "15-orders");
  console.assertClean();
});

test("opens each app's own admin for the demo shop from the simulated Shopify admin", async ({ page }) => {
  const console = watchConsole(page);
  for (const method of METHOD_HANDLES) {
    await page.goto(`${adminBase()}/settings`);
    await page.locator(`#manage-${method}`).click();
    await page.waitForURL(new RegExp(`/apps/${method}(\\?|/|$)`));
    expect(new URL(page.url()).port).toBe(env.PORT);
    await expect(page.getByText(SANDBOX_PRODUCTION_MERCHANT.merchantId).first()).toBeVisible();
    if (method === "credit") await shot(page, "14-app-admin");
  }
  console.assertClean();
});

/** The Shopify Payment ID of an order's payment, as the simulated admin's order page shows it. */
async function paymentIdOf(page: Page, orderUrl: string): Promise<string> {
  await page.goto(orderUrl);
  const id = (await page.locator('[data-testid="transaction-payment"] td').last().textContent())?.trim() ?? "";
  expect(id).toMatch(/^\w{20,}$/);
  return id;
}

test("stops on Ctrl-C leaving no process behind, and starts again on the same database", async ({ page }) => {
  test.setTimeout(240_000);
  // The store's port changes with each start: an order's admin URL after the restart.
  const restarted = (orderUrl: string) => `${adminBase()}${new URL(orderUrl).pathname.replace(/^\/admin\/[^/]+/, "")}`;
  const creditOrder = paidOrders.get("credit")!;
  const paymentId = await paymentIdOf(page, creditOrder);
  // Live mode (ECPay's production emulator, DoAction): an authorization left to capture after the
  // restart, and the partly refunded UnionPay sale whose rest is refunded then.
  await settings(page, { manual: true, live: true });
  const authorized = await paidOrder(page, "credit", "authorized");
  await settings(page, { manual: false, live: false });
  const unionpay = paidOrders.get("unionpay")!;
  await expectOrderStatus(page, unionpay, "partially_refunded");
  expect(existsSync(path.join(tmp, "sandbox.sqlite"))).toBe(true);
  expect(sandbox.pids().length).toBeGreaterThanOrEqual(3);
  expect(await interrupt(sandbox)).toEqual([]);
  await sandbox.outputClosed;
  expect(sandbox.output.at(-1)).toBe("[sandbox] stopped");

  sandbox = await startSandbox(env);
  const console = watchConsole(page);
  await page.goto(sandbox.storeUrl);
  await expect(page.locator("#go-to-checkout")).toBeVisible();
  // Shopify's side comes back as it was: the order and its status, each app's configuration.
  await expectOrderStatus(page, restarted(creditOrder), "refunded", "已退款");
  await page.goto(`${adminBase()}/settings`);
  for (const method of METHOD_HANDLES) await expect(page.getByTestId(`app-ready-${method}`)).toHaveAttribute("data-ready", "true");
  // The app's side is the database's: the payment made before the restart is still listed.
  await page.locator("#manage-credit").click();
  await page.waitForURL(/\/apps\/credit(\?|\/|$)/);
  await page.goto(`http://127.0.0.1:${env.PORT}/apps/credit/transactions?q=${encodeURIComponent(paymentId)}`);
  await expect(page.getByRole("link", { name: paymentId })).toBeVisible();
  // ECPay's side is kept too: it captures and refunds trades made before the restart.
  await page.goto(restarted(authorized));
  await page.locator("#capture-button").click();
  await expectOrderStatus(page, restarted(authorized), "paid", "已付款");
  await refund(page, restarted(unionpay), null);
  await expectOrderStatus(page, restarted(unionpay), "refunded", "已退款");
  console.assertClean();
  expect(await interrupt(sandbox)).toEqual([]);
});
