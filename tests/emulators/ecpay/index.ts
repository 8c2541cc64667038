// ECPay emulator entry point: start a real HTTP server that behaves as ECPay's AIO gateway
// (stage or production) for integration tests, Playwright e2e and the local sandbox.
//
// Routes: POST /Cashier/AioCheckOut/V5, GET /Emulator/Payment/<TradeNo> (buyer pages, with
// POST …/pay, …/cancel, …/transfer), POST /Cashier/QueryTradeInfo/V5, POST /CreditDetail/DoAction,
// POST /CreditDetail/QueryTrade/V2, and the control API under /_emulator/* (see emulator.ts).
import { EcpayEmulatorServer } from "./emulator";
import type { EcpayEmulator, EcpayEmulatorOptions } from "./types";

export { STAGE_MERCHANT, merchantsSchema } from "./emulator";
export { ECPAY_CODES, EMULATOR_PARAMETER_ERROR, EMULATOR_MERCHANT_ERROR } from "./checkout-validation";
export { EMULATOR_RULE_ERROR } from "./card-trade";
export { ACK } from "./notifier";
export type * from "./types";

export async function startEcpayEmulator(options: EcpayEmulatorOptions): Promise<EcpayEmulator> {
  const server = new EcpayEmulatorServer(options);
  await server.listen();
  return server.api();
}
