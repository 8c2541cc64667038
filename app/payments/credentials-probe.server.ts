// Proof that a merchant's keys work, before they are stored: a signed QueryTradeInfo for a trade
// that cannot exist. With the right keys ECPay answers a signed "no such trade" (TradeStatus
// 10200047), which is exactly the proof wanted; wrong keys are refused.
import { err, ok, type Result } from "neverthrow";
import { newMerchantTradeNo } from "../ecpay/merchant-trade-no";
import type { EcpayCredentials, EcpayError, IEcpayGateway } from "../ecpay/types";

export async function probeCredentials(ecpay: Pick<IEcpayGateway, "queryTradeInfo">, credentials: EcpayCredentials, now: Date): Promise<Result<void, EcpayError>> {
  const answer = await ecpay.queryTradeInfo(credentials, newMerchantTradeNo(now));
  return answer.isOk() ? ok(undefined) : err(answer.error);
}
