// Paying through the emulator: buyer pages, ReturnURL / PaymentInfoURL delivery with resends until
// exactly 1|OK (ecpay-aio §3), the browser's way back (OrderResultURL / ClientBackURL), ATM
// accounts and their expiry, and the notification fault rules. All over real HTTP.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { verifyCheckMacValue } from "../../app/ecpay/check-mac-value";
import { type EcpayEmulator, type EcpayMerchant, STAGE_MERCHANT, startEcpayEmulator } from "../emulators/ecpay";
import {
  checkoutFields,
  createOrder,
  parseEcpayResponse,
  postForm,
  queryTradeInfoRequest,
  readAutoPostForm,
  type Receiver,
  startReceiver,
} from "../emulators/ecpay/testing";

const PROD_MERCHANT: EcpayMerchant = { merchantId: "3300001", hashKey: "ProdHashKey12345", hashIv: "ProdHashIv123456" };
const TEST_CARD = { cardNumber: "4311-9522-2222-2222", cardExpiry: "12/39", cardCvv: "222" };
const EXTRA_FIELDS = ["AlipayID", "ATMAccBank", "ATMAccNo", "amount", "auth_code", "card4no", "card6no", "eci", "gwsr", "PayFrom", "PaymentNo", "process_date", "red_dan", "stage", "stast", "staed", "TWQRTradeNo", "WebATMAccBank", "WebATMBankName", "TotalSuccessTimes"];

let emulator: EcpayEmulator;
let receiver: Receiver;
let answers: (path: string, n: number) => string = () => "1|OK";

beforeAll(async () => {
  emulator = await startEcpayEmulator({ environment: "stage", notifyRetryIntervalMs: 30, notifyMaxAttempts: 5 });
  receiver = await startReceiver((post, n) => answers(post.path, n));
});
afterEach(async () => {
  await emulator.whenNotificationsSettled();
  emulator.setNotificationFault(null);
  answers = () => "1|OK";
});
afterAll(async () => {
  await emulator.close();
  await receiver.close();
});

/** Creates an order whose notifications go to the receiver under /<tag>/… paths. */
async function order(tag: string, overrides: Record<string, string | undefined> = {}, merchant: EcpayMerchant = STAGE_MERCHANT, target = emulator) {
  const fields = checkoutFields(merchant, {
    ReturnURL: `${receiver.origin}/${tag}/return`,
    OrderResultURL: `${receiver.origin}/${tag}/result`,
    ClientBackURL: `${receiver.origin}/${tag}/back`,
    CustomField1: "pay123",
    ...overrides,
  });
  const created = await createOrder(target.origin, fields);
  expect(created.pageUrl, created.html).not.toBeNull();
  return { fields, pageUrl: created.pageUrl as string, merchantTradeNo: fields.MerchantTradeNo as string };
}

async function query(merchantTradeNo: string, merchant: EcpayMerchant = STAGE_MERCHANT, target = emulator) {
  const response = await postForm(`${target.origin}/Cashier/QueryTradeInfo/V5`, queryTradeInfoRequest(merchant, merchantTradeNo));
  return parseEcpayResponse(await response.text());
}

describe("credit card payment", () => {
  it("POSTs ReturnURL until the third answer is 1|OK, resends say RtnMsg=paid, then auto-POSTs OrderResultURL", async () => {
    answers = (path, n) => (path === "/cc3/return" && n < 3 ? "0|not yet" : "1|OK");
    const { pageUrl, merchantTradeNo } = await order("cc3");
    const paid = await postForm(`${pageUrl}/pay`, TEST_CARD);
    const browser = readAutoPostForm(await paid.text());
    expect(browser?.action).toBe(`${receiver.origin}/cc3/result`);
    expect(browser?.fields.RtnMsg).toBe("Succeeded");
    expect(verifyCheckMacValue(browser?.fields ?? {}, STAGE_MERCHANT)).toBe(true);

    const posts = await receiver.waitFor(3, "/cc3/return");
    await emulator.whenNotificationsSettled();
    expect(receiver.posts.filter((p) => p.path === "/cc3/return")).toHaveLength(3);
    expect(posts.map((p) => p.fields.RtnMsg)).toEqual(["交易成功", "paid", "paid"]);
    for (const post of posts) {
      expect(verifyCheckMacValue(post.fields, STAGE_MERCHANT)).toBe(true);
      expect(post.fields).toMatchObject({
        MerchantID: "3002607",
        MerchantTradeNo: merchantTradeNo,
        RtnCode: "1",
        TradeAmt: "1000",
        PaymentType: "Credit_CreditCard",
        SimulatePaid: "0",
        CustomField1: "pay123",
        CustomField2: "",
        auth_code: "777777",
        card6no: "431195",
        card4no: "2222",
        stage: "0",
      });
      expect(post.fields.TradeNo).toMatch(/^\d{16}$/);
      expect(post.fields.gwsr).toMatch(/^\d+$/);
      for (const name of EXTRA_FIELDS) expect(post.fields).toHaveProperty(name);
      expect(post.fields.ATMAccNo).toBe("");
    }
    const log = emulator.notificationLog().filter((e) => e.merchantTradeNo === merchantTradeNo);
    expect(log.map((e) => [e.attempt, e.acknowledged])).toEqual([[1, false], [2, false], [3, true]]);
    expect(browser?.fields.TradeNo).toBe(posts[0]?.fields.TradeNo);
  });

  it("stops after notifyMaxAttempts when the merchant never answers exactly 1|OK", async () => {
    answers = (path) => (path === "/nack/return" ? '"1|OK"' : "1|OK");
    const { pageUrl, merchantTradeNo } = await order("nack");
    await postForm(`${pageUrl}/pay`, TEST_CARD);
    await emulator.whenNotificationsSettled();
    const log = emulator.notificationLog().filter((e) => e.merchantTradeNo === merchantTradeNo);
    expect(log).toHaveLength(5);
    expect(log.every((e) => !e.acknowledged && e.body === '"1|OK"')).toBe(true);
  });

  it("treats 1|ok and a trailing newline as no acknowledgement", async () => {
    answers = (path, n) => (path !== "/case/return" ? "1|OK" : n === 1 ? "1|ok" : n === 2 ? "1|OK\n" : "1|OK");
    const { pageUrl } = await order("case");
    await postForm(`${pageUrl}/pay`, TEST_CARD);
    await emulator.whenNotificationsSettled();
    expect(receiver.posts.filter((p) => p.path === "/case/return")).toHaveLength(3);
  });

  it("declines other cards and expired cards without notifying, and lets the buyer retry", async () => {
    const { pageUrl, merchantTradeNo } = await order("decl");
    const declined = await (await postForm(`${pageUrl}/pay`, { ...TEST_CARD, cardNumber: "4000-2211-1111-1111" })).text();
    expect(declined).toContain('id="payment-error"');
    expect(declined).toContain('id="card-number"');
    const expired = await (await postForm(`${pageUrl}/pay`, { ...TEST_CARD, cardExpiry: "01/20" })).text();
    expect(expired).toMatch(/過期/);
    const badCvv = await (await postForm(`${pageUrl}/pay`, { ...TEST_CARD, cardCvv: "123" })).text();
    expect(badCvv).toContain('id="payment-error"');
    await emulator.whenNotificationsSettled();
    expect(receiver.posts.filter((p) => p.path === "/decl/return")).toHaveLength(0);
    expect((await query(merchantTradeNo)).TradeStatus).toBe("0");
    expect(emulator.order(merchantTradeNo)?.declinedAttempts).toBe(3);

    await postForm(`${pageUrl}/pay`, TEST_CARD);
    expect((await receiver.waitFor(1, "/decl/return"))[0]?.fields.RtnCode).toBe("1");
    expect((await query(merchantTradeNo)).TradeStatus).toBe("1");
  });

  it("sends the buyer who cancels to ClientBackURL with no ReturnURL and TradeStatus 10200095", async () => {
    const { pageUrl, merchantTradeNo } = await order("cncl");
    const cancel = await postForm(`${pageUrl}/cancel`, {});
    expect(cancel.status).toBe(302);
    expect(cancel.headers.get("location")).toBe(`${receiver.origin}/cncl/back`);
    expect((await query(merchantTradeNo)).TradeStatus).toBe("10200095");
    const after = await postForm(`${pageUrl}/pay`, TEST_CARD);
    expect(await after.text()).toContain("交易已取消");
    await emulator.whenNotificationsSettled();
    expect(receiver.posts.filter((p) => p.path === "/cncl/return")).toHaveLength(0);
  });

  it("shows ECPay's result page with a 返回商店 link when there is no OrderResultURL", async () => {
    const { pageUrl } = await order("noresult", { OrderResultURL: undefined });
    const html = await (await postForm(`${pageUrl}/pay`, TEST_CARD)).text();
    expect(readAutoPostForm(html)).toBeNull();
    expect(html).toContain(`<a id="back-to-shop" href="${receiver.origin}/noresult/back">返回商店`);
  });

  it("offers the installment periods and reports the split the buyer chose (remainder in the first period)", async () => {
    const { pageUrl } = await order("inst", { CreditInstallment: "3,6", TotalAmount: "1733" });
    const page = await (await fetch(pageUrl)).text();
    expect(page).toContain('<select id="installment-period"');
    expect(page).toContain('<option value="6">');
    await postForm(`${pageUrl}/pay`, { ...TEST_CARD, installmentPeriod: "6" });
    const [post] = await receiver.waitFor(1, "/inst/return");
    expect(post?.fields).toMatchObject({ stage: "6", stast: "293", staed: "288", amount: "1733" });
  });

  it("reports bonus-point redemption for Redeem=Y", async () => {
    const { pageUrl } = await order("redeem", { Redeem: "Y" });
    expect(await (await fetch(pageUrl)).text()).toContain('id="use-redeem"');
    await postForm(`${pageUrl}/pay`, { ...TEST_CARD, useRedeem: "Y" });
    const [post] = await receiver.waitFor(1, "/redeem/return");
    expect(Number(post?.fields.red_de_amt)).toBeGreaterThan(0);
    expect(Number(post?.fields.red_ok_amt) + Number(post?.fields.red_de_amt)).toBe(1000);
  });

  it("leaves the NeedExtraPaidInfo fields out when NeedExtraPaidInfo is not Y", async () => {
    const { pageUrl } = await order("noextra", { NeedExtraPaidInfo: undefined });
    await postForm(`${pageUrl}/pay`, TEST_CARD);
    const [post] = await receiver.waitFor(1, "/noextra/return");
    expect(post?.fields).not.toHaveProperty("gwsr");
    expect(verifyCheckMacValue(post?.fields ?? {}, STAGE_MERCHANT)).toBe(true);
  });
});

describe("UnionPay (production only)", () => {
  it("never auto-POSTs OrderResultURL and leaves out the card digits", async () => {
    const prod = await startEcpayEmulator({ environment: "production", merchants: [PROD_MERCHANT], notifyRetryIntervalMs: 30 });
    try {
      const { pageUrl } = await order("union", { UnionPay: "1" }, PROD_MERCHANT, prod);
      const html = await (await postForm(`${pageUrl}/pay`, TEST_CARD)).text();
      expect(readAutoPostForm(html)).toBeNull();
      expect(html).toContain("返回商店");
      const [post] = await receiver.waitFor(1, "/union/return");
      expect(post?.fields).toMatchObject({ card4no: "", card6no: "", PaymentType: "Credit_CreditCard" });
      expect(verifyCheckMacValue(post?.fields ?? {}, PROD_MERCHANT)).toBe(true);
    } finally {
      await prod.close();
    }
  });
});

describe("UnionPay on the card page, per UnionPay value (ecpay-aio §2.3)", () => {
  const CONSUMER: EcpayMerchant = { merchantId: "3300003", hashKey: "ConsumerKey12345", hashIv: "ConsumerIv123456", consumerInstallments: true };
  let prod: EcpayEmulator;
  beforeAll(async () => {
    prod = await startEcpayEmulator({ environment: "production", merchants: [PROD_MERCHANT, CONSUMER], notifyRetryIntervalMs: 30 });
  });
  afterAll(async () => {
    await prod.close();
  });
  const page = async (tag: string, overrides: Record<string, string | undefined>, target = prod, merchant = PROD_MERCHANT) => {
    const created = await order(tag, overrides, merchant, target);
    return { ...created, html: await (await fetch(created.pageUrl)).text() };
  };

  it("offers card or UnionPay for 0 or no value in production, and a buyer who picks UnionPay gets a trade closed at authorization", async () => {
    for (const value of ["0", undefined]) expect((await page("u0", { UnionPay: value })).html).toContain('id="card-type-unionpay"');
    const { pageUrl, merchantTradeNo } = await page("u0pay", { UnionPay: "0" });
    const html = await (await postForm(`${pageUrl}/pay`, { ...TEST_CARD, cardType: "unionpay" })).text();
    expect(readAutoPostForm(html)).toBeNull();
    const [post] = await receiver.waitFor(1, "/u0pay/return");
    expect(post?.fields).toMatchObject({ card4no: "", card6no: "" });
    expect(prod.order(merchantTradeNo)?.card).toMatchObject({ unionPay: true, status: "已關帳" });
  });

  it("offers cards only for 2, and takes no UnionPay from a buyer who asks for it anyway", async () => {
    const { html, pageUrl, merchantTradeNo } = await page("u2", { UnionPay: "2" });
    expect(html).toContain('id="card-number"');
    expect(html).not.toContain("銀聯");
    const refused = await (await postForm(`${pageUrl}/pay`, { ...TEST_CARD, cardType: "unionpay" })).text();
    expect(refused).toContain('id="payment-error"');
    expect(prod.order(merchantTradeNo)?.status).toBe("created");
  });

  it("offers UnionPay only for 1, and never on stage or beside installments or redemption", async () => {
    const only = await page("u1", { UnionPay: "1" });
    expect(only.html).toContain("銀聯卡付款");
    expect(only.html).not.toContain('id="card-type"');
    expect((await page("ustage", { UnionPay: "0" }, emulator, STAGE_MERCHANT)).html).not.toContain('id="card-type"');
    expect((await page("uinst", { UnionPay: "0", CreditInstallment: "3" })).html).not.toContain('id="card-type"');
    expect((await page("uredeem", { UnionPay: "0", Redeem: "Y" })).html).not.toContain('id="card-type"');
  });

  it("lets a buyer of a one-time order pay in installments (自費分期) where the merchant has it, from NT$1,000", async () => {
    const { html, pageUrl } = await page("consumer", { UnionPay: "2", TotalAmount: "1200" }, prod, CONSUMER);
    expect(html).toContain('<option value="">一次付清');
    await postForm(`${pageUrl}/pay`, { ...TEST_CARD, installmentPeriod: "3" });
    const [post] = await receiver.waitFor(1, "/consumer/return");
    expect(post?.fields).toMatchObject({ stage: "3", stast: "400", staed: "400" });
    expect((await page("small", { UnionPay: "2", TotalAmount: "999" }, prod, CONSUMER)).html).not.toContain('id="installment-period"');
    expect((await page("nocons", { UnionPay: "2", TotalAmount: "1200" })).html).not.toContain('id="installment-period"');
  });
});

describe("WebATM, TWQR and WeChat Pay", () => {
  it.each([
    ["WebATM", "WebATM_TAISHIN", "WebATMBankName"],
    ["TWQR", "TWQR_OPAY", "TWQRTradeNo"],
    ["WeiXin", "WeiXin_OPAY", null],
  ] as const)("%s: Pay notifies PaymentType %s and returns the buyer through OrderResultURL", async (choose, paymentType, filled) => {
    const tag = `w${choose.toLowerCase()}`;
    const { pageUrl } = await order(tag, { ChoosePayment: choose });
    const page = await (await fetch(pageUrl)).text();
    expect(page).toContain("Pay 付款");
    expect(page).toContain("Cancel 取消");
    const browser = readAutoPostForm(await (await postForm(`${pageUrl}/pay`, {})).text());
    expect(browser?.fields.PaymentType).toBe(paymentType);
    const [post] = await receiver.waitFor(1, `/${tag}/return`);
    expect(post?.fields.PaymentType).toBe(paymentType);
    expect(post?.fields.gwsr).toBe("");
    if (filled) expect(post?.fields[filled]).not.toBe("");
    expect(verifyCheckMacValue(post?.fields ?? {}, STAGE_MERCHANT)).toBe(true);
  });

  it("uses the ChooseSubPayment bank in PaymentType", async () => {
    const { pageUrl } = await order("wbot", { ChoosePayment: "WebATM", ChooseSubPayment: "BOT" });
    await postForm(`${pageUrl}/pay`, {});
    expect((await receiver.waitFor(1, "/wbot/return"))[0]?.fields.PaymentType).toBe("WebATM_BOT");
  });
});

describe("ATM virtual account", () => {
  it("POSTs PaymentInfoURL with RtnCode 2 on creation, shows the account, and a simulated transfer notifies ReturnURL", async () => {
    const { pageUrl, merchantTradeNo } = await order("atm", {
      ChoosePayment: "ATM",
      ExpireDate: "2",
      PaymentInfoURL: `${receiver.origin}/atm/info`,
    });
    const [info] = await receiver.waitFor(1, "/atm/info");
    expect(verifyCheckMacValue(info?.fields ?? {}, STAGE_MERCHANT)).toBe(true);
    const expected = new Date(Date.now() + 8 * 3600_000 + 2 * 86400_000).toISOString().slice(0, 10).replace(/-/g, "/");
    expect(info?.fields).toMatchObject({ RtnCode: "2", BankCode: "812", PaymentType: "ATM_TAISHIN", ExpireDate: expected, CustomField1: "pay123" });
    expect(info?.fields.vAccount).toMatch(/^\d{14}$/);
    expect(info?.fields.RtnMsg).toBe("Get VirtualAccount Succeeded");

    const page = await (await fetch(pageUrl)).text();
    expect(page).toContain(`<dd id="atm-account">${info?.fields.vAccount}</dd>`);
    expect(page).toContain(`<dd id="atm-expire-date">${expected}</dd>`);
    expect(page).toContain("Simulate bank transfer 模擬轉帳");
    expect((await query(merchantTradeNo)).TradeStatus).toBe("0");

    const result = await (await postForm(`${pageUrl}/transfer`, {})).text();
    // ECPay does not POST OrderResultURL for ATM: the buyer sees the result page.
    expect(readAutoPostForm(result)).toBeNull();
    const [paid] = await receiver.waitFor(1, "/atm/return");
    expect(paid?.fields).toMatchObject({ RtnCode: "1", PaymentType: "ATM_TAISHIN", ATMAccBank: "822" });
    expect(paid?.fields.ATMAccNo).toMatch(/^\d{5}$/);
    expect(verifyCheckMacValue(paid?.fields ?? {}, STAGE_MERCHANT)).toBe(true);
    expect((await query(merchantTradeNo)).TradeStatus).toBe("1");
    await emulator.whenNotificationsSettled();
    expect(receiver.posts.filter((p) => p.path === "/atm/result")).toHaveLength(0);
  });

  it("defaults ExpireDate to 3 days", async () => {
    const { merchantTradeNo } = await order("atm3", { ChoosePayment: "ATM" });
    const expected = new Date(Date.now() + 8 * 3600_000 + 3 * 86400_000).toISOString().slice(0, 10).replace(/-/g, "/");
    expect(emulator.order(merchantTradeNo)?.atm?.expireDate).toBe(expected);
  });

  it("expires an unpaid account: TradeStatus 10200095, no transfer button, no notification", async () => {
    const { pageUrl, merchantTradeNo } = await order("atmx", { ChoosePayment: "ATM", PaymentInfoURL: `${receiver.origin}/atmx/info` });
    await receiver.waitFor(1, "/atmx/info");
    expect(emulator.expireAtm(merchantTradeNo).status).toBe("failed");
    expect((await query(merchantTradeNo)).TradeStatus).toBe("10200095");
    const page = await (await fetch(pageUrl)).text();
    expect(page).toContain("已逾期");
    expect(page).not.toContain("模擬轉帳");
    await expect(emulator.pay(merchantTradeNo)).rejects.toThrow(/closed/);
    await emulator.whenNotificationsSettled();
    expect(receiver.posts.filter((p) => p.path === "/atmx/return")).toHaveLength(0);
  });

  it("lapses the account by itself once the Taiwan date passes the deadline", async () => {
    let clock = new Date("2025-03-01T02:00:00Z");
    const timed = await startEcpayEmulator({ environment: "stage", now: () => clock, notifyRetryIntervalMs: 30 });
    try {
      const { merchantTradeNo } = await order("atmt", { ChoosePayment: "ATM", ExpireDate: "1" }, STAGE_MERCHANT, timed);
      expect(timed.order(merchantTradeNo)?.atm?.expireDate).toBe("2025/03/02");
      clock = new Date("2025-03-02T15:59:00Z"); // 23:59 on 03/02 in Taiwan: still payable
      expect(timed.order(merchantTradeNo)?.status).toBe("created");
      clock = new Date("2025-03-02T16:00:00Z"); // 00:00 on 03/03 in Taiwan
      expect(timed.order(merchantTradeNo)?.status).toBe("failed");
    } finally {
      await timed.close();
    }
  });

  it("client-POSTs the account to ClientRedirectURL when given", async () => {
    const direct = checkoutFields(STAGE_MERCHANT, { ChoosePayment: "ATM", ReturnURL: `${receiver.origin}/atmr/return`, ClientRedirectURL: `${receiver.origin}/atmr/redirect` });
    const created = await createOrder(emulator.origin, direct);
    const form = readAutoPostForm(created.html);
    expect(form?.action).toBe(`${receiver.origin}/atmr/redirect`);
    expect(form?.fields.RtnCode).toBe("2");
    expect(verifyCheckMacValue(form?.fields ?? {}, STAGE_MERCHANT)).toBe(true);
  });
});

describe("control API and notification faults", () => {
  it("pay() with simulatePaid sends SimulatePaid=1 like the back office's 模擬付款", async () => {
    const { merchantTradeNo } = await order("sim", { ChoosePayment: "ATM" });
    const paid = await emulator.pay(merchantTradeNo, { simulatePaid: true });
    expect(paid.status).toBe("paid");
    const [post] = await receiver.waitFor(1, "/sim/return");
    expect(post?.fields.SimulatePaid).toBe("1");
    expect(verifyCheckMacValue(post?.fields ?? {}, STAGE_MERCHANT)).toBe(true);
  });

  it("drops the next N attempts, which are then resent", async () => {
    emulator.setNotificationFault({ drop: 2 });
    const { merchantTradeNo } = await order("drop");
    await emulator.pay(merchantTradeNo);
    await emulator.whenNotificationsSettled();
    const log = emulator.notificationLog().filter((e) => e.merchantTradeNo === merchantTradeNo);
    expect(log.map((e) => e.dropped)).toEqual([true, true, false]);
    const posts = receiver.posts.filter((p) => p.path === "/drop/return");
    expect(posts).toHaveLength(1);
    expect(posts[0]?.fields.RtnMsg).toBe("paid");
  });

  it("duplicates every POST when asked", async () => {
    emulator.setNotificationFault({ duplicate: true });
    const { merchantTradeNo } = await order("dup");
    await emulator.pay(merchantTradeNo);
    await emulator.whenNotificationsSettled();
    const posts = receiver.posts.filter((p) => p.path === "/dup/return");
    expect(posts).toHaveLength(2);
    expect(posts[0]?.raw).toBe(posts[1]?.raw);
  });

  it("delays notifications so the browser can come back first", async () => {
    emulator.setNotificationFault({ delayMs: 300 });
    const { pageUrl } = await order("late");
    const started = Date.now();
    const browser = readAutoPostForm(await (await postForm(`${pageUrl}/pay`, TEST_CARD)).text());
    expect(browser?.fields.RtnCode).toBe("1");
    expect(receiver.posts.filter((p) => p.path === "/late/return")).toHaveLength(0);
    await receiver.waitFor(1, "/late/return");
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("exposes the same controls over HTTP under /_emulator", async () => {
    const { merchantTradeNo } = await order("http");
    const json = (path: string, body?: unknown) =>
      fetch(`${emulator.origin}/_emulator/${path}`, body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    expect((await (await json(`orders/${merchantTradeNo}`)).json()).status).toBe("created");
    const paid = await (await json("pay", { merchantTradeNo })).json();
    expect(paid.status).toBe("paid");
    expect((await json("pay", { merchantTradeNo })).status).toBe(409);
    expect((await json("pay", { nope: 1 })).status).toBe(400);
    await receiver.waitFor(1, "/http/return");
    const log = await (await json("notifications")).json();
    expect(log.some((e: { merchantTradeNo: string }) => e.merchantTradeNo === merchantTradeNo)).toBe(true);
    expect((await json("notification-fault", { drop: 1 })).status).toBe(200);
    expect((await json("notification-fault", null)).status).toBe(200);
    expect((await json("orders/UNKNOWN1")).status).toBe(404);
  });
});
