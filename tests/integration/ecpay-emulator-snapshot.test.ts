// The ECPay emulator keeps its trades across a restart (the sandbox saves a snapshot on Ctrl-C and
// restores it on the next start), as real ECPay does: a new emulator restored from a JSON snapshot
// answers QueryTradeInfo, QueryPaymentInfo, DoAction and QueryTrade/V2 for the trades made before,
// keeps each card trade's state and refunds, and refuses a MerchantTradeNo already used.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyCheckMacValue } from "../../app/ecpay/check-mac-value";
import { type EcpayEmulator, type EcpayEmulatorSnapshot, type EcpayMerchant, startEcpayEmulator } from "../emulators/ecpay";
import {
  checkoutFields,
  createOrder,
  doActionRequest,
  parseEcpayResponse,
  postForm,
  queryTradeInfoRequest,
  type Receiver,
  sign,
  startReceiver,
} from "../emulators/ecpay/testing";

const MERCHANT: EcpayMerchant = { merchantId: "3300011", hashKey: "SnapHashKey12345", hashIv: "SnapHashIv123456", creditCheckCode: "11223344" };
/** Added while running (not a start option): the snapshot brings it back. */
const ADDED: EcpayMerchant = { merchantId: "3300012", hashKey: "AddedHashKey1234", hashIv: "AddedHashIv12345" };
const TEST_CARD = { cardNumber: "4311952222222222", cardExpiry: "12/39", cardCvv: "222" };

let receiver: Receiver;
const emulators: EcpayEmulator[] = [];

async function production(): Promise<EcpayEmulator> {
  const emulator = await startEcpayEmulator({ environment: "production", merchants: [MERCHANT], notifyRetryIntervalMs: 30 });
  emulators.push(emulator);
  return emulator;
}

beforeAll(async () => {
  receiver = await startReceiver();
});

afterAll(async () => {
  await Promise.all(emulators.map((emulator) => emulator.close()));
  await receiver.close();
});

async function cardOrder(target: EcpayEmulator, merchant: EcpayMerchant) {
  const fields = checkoutFields(merchant, { ReturnURL: `${receiver.origin}/return` });
  const created = await createOrder(target.origin, fields);
  expect(created.pageUrl, created.html).not.toBeNull();
  await postForm(`${created.pageUrl}/pay`, TEST_CARD);
  return target.order(fields.MerchantTradeNo as string, { merchantId: merchant.merchantId })!;
}

async function doAction(target: EcpayEmulator, merchant: EcpayMerchant, order: { merchantTradeNo: string; tradeNo: string }, action: string, totalAmount: number) {
  const response = await postForm(`${target.origin}/CreditDetail/DoAction`, doActionRequest(merchant, { ...order, action, totalAmount }));
  return parseEcpayResponse(await response.text());
}

async function query(target: EcpayEmulator, merchant: EcpayMerchant, path: string, merchantTradeNo: string) {
  const response = await postForm(`${target.origin}${path}`, queryTradeInfoRequest(merchant, merchantTradeNo));
  return parseEcpayResponse(await response.text());
}

describe("ECPay emulator: snapshot and restore", () => {
  it("answers queries and refunds, captures and pays the trades made before, in a new emulator restored from JSON", async () => {
    const first = await production();
    first.addMerchant(ADDED);
    // A captured, settled and partly refunded sale; an authorization not yet captured; an unpaid ATM account.
    const sale = await cardOrder(first, MERCHANT);
    expect((await doAction(first, MERCHANT, sale, "C", 1000)).RtnCode).toBe("1");
    first.runDailyClose();
    expect((await doAction(first, MERCHANT, sale, "R", 300)).RtnCode).toBe("1");
    const authorization = await cardOrder(first, ADDED);
    const atmFields = checkoutFields(MERCHANT, { ChoosePayment: "ATM", ReturnURL: `${receiver.origin}/return` });
    await createOrder(first.origin, atmFields);
    const atmNo = atmFields.MerchantTradeNo as string;
    const atmAccount = first.order(atmNo)!.atm!;

    const saved = JSON.parse(JSON.stringify(first.snapshot())) as EcpayEmulatorSnapshot;
    const second = await production();
    second.restore(saved);
    expect(second.orders()).toEqual(first.orders());

    const info = await query(second, MERCHANT, "/Cashier/QueryTradeInfo/V5", sale.merchantTradeNo);
    expect(verifyCheckMacValue(info, MERCHANT)).toBe(true);
    expect(info).toMatchObject({ TradeStatus: "1", TradeNo: sale.tradeNo, TradeAmt: "1000", gwsr: sale.card!.gwsr });
    // The rest of the sale is refunded once; the card state kept the earlier refund.
    expect(await doAction(second, MERCHANT, sale, "R", 800)).toMatchObject({ RtnCode: "90000003" });
    expect(await doAction(second, MERCHANT, sale, "R", 700)).toMatchObject({ RtnCode: "1", TradeNo: sale.tradeNo });
    const detail = sign({ MerchantID: MERCHANT.merchantId, CreditRefundId: sale.card!.gwsr, CreditAmount: "1000", CreditCheckCode: "11223344" }, MERCHANT);
    const value = ((await (await postForm(`${second.origin}/CreditDetail/QueryTrade/V2`, detail)).json()) as { RtnValue: Record<string, unknown> }).RtnValue;
    expect(value).toMatchObject({ status: "已關帳", clsamt: 0 });
    // The authorization of the merchant added while running is captured within its 21 days.
    expect(await doAction(second, ADDED, authorization, "C", 1000)).toMatchObject({ RtnCode: "1" });
    expect(second.order(authorization.merchantTradeNo)!.card!.status).toBe("要關帳");

    // The ATM account is the same, and a transfer to it is still taken and notified.
    const paymentInfo = await query(second, MERCHANT, "/Cashier/QueryPaymentInfo", atmNo);
    expect(paymentInfo).toMatchObject({ RtnCode: "2", vAccount: atmAccount.vAccount, ExpireDate: atmAccount.expireDate });
    await second.pay(atmNo);
    const returned = await receiver.waitFor(1, "/return");
    expect(returned.some((post) => post.fields.MerchantTradeNo === atmNo && post.fields.RtnCode === "1")).toBe(true);

    // A MerchantTradeNo used before the restart stays used; new card trades get new gwsr numbers.
    const reused = await createOrder(second.origin, checkoutFields(MERCHANT, { MerchantTradeNo: sale.merchantTradeNo }));
    expect(reused.html).toContain('<span id="error-code">10300028</span>');
    const next = await cardOrder(second, MERCHANT);
    expect(Number(next.card!.gwsr)).toBeGreaterThan(Math.max(Number(sale.card!.gwsr), Number(authorization.card!.gwsr)));
  });

  it("refuses a snapshot of the other environment or of an unknown version", async () => {
    const emulator = await production();
    const stage = await startEcpayEmulator({ environment: "stage" });
    emulators.push(stage);
    expect(() => emulator.restore(stage.snapshot())).toThrow(/stage snapshot cannot be restored into the production emulator/);
    expect(() => emulator.restore({ ...emulator.snapshot(), version: 2 } as unknown as EcpayEmulatorSnapshot)).toThrow(/snapshot version/);
  });
});
