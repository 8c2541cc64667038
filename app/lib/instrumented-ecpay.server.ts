// The ECPay port with every server-to-server call timed and counted for /metrics
// (ecpay_call_duration_seconds by operation and outcome). Wraps any IEcpayGateway: the composition
// root hands use cases this instead of the bare client, and nothing else changes.
import type { Result } from "neverthrow";
import type { EcpayError, IEcpayGateway } from "../ecpay/types";
import { metrics } from "./metrics.server";

async function timed<T>(operation: string, call: () => Promise<Result<T, EcpayError>>): Promise<Result<T, EcpayError>> {
  const started = process.hrtime.bigint();
  const result = await call();
  const outcome = result.isOk() ? "ok" : result.error.kind;
  metrics().ecpayCalls.observe({ operation, outcome }, Number(process.hrtime.bigint() - started) / 1e9);
  return result;
}

export function instrumentedEcpay(gateway: IEcpayGateway): IEcpayGateway {
  return {
    createCheckout: (credentials, input) => gateway.createCheckout(credentials, input),
    verifyCallback: (rawBody, credentials) => gateway.verifyCallback(rawBody, credentials),
    queryTradeInfo: (credentials, merchantTradeNo) => timed("QueryTradeInfo", () => gateway.queryTradeInfo(credentials, merchantTradeNo)),
    queryPaymentInfo: (credentials, merchantTradeNo) => timed("QueryPaymentInfo", () => gateway.queryPaymentInfo(credentials, merchantTradeNo)),
    queryCreditDetail: (credentials, input) => timed("QueryTrade/V2", () => gateway.queryCreditDetail(credentials, input)),
    doAction: (credentials, input) => timed(`DoAction ${input.action}`, () => gateway.doAction(credentials, input)),
  } satisfies IEcpayGateway;
}
