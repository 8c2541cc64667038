// Faults of ECPay's server-to-server APIs that are not rule refusals, for the client's error classes:
// - a merchant balance too low for a refund ("If the merchant's ECPay balance is below the refund
//   amount, the refund fails", ecpay-aio §4.1, FAQ nID=3582): DoAction R is declined with a
//   message that names no rule, so the client reports "declined", not "not-allowed";
// - a hang: the API never answers (before or after carrying the request out), so the client's
//   timeout reports "indeterminate" over real HTTP.
import type { ServerResponse } from "node:http";
import { z } from "zod";

/**
 * Not an ECPay code: ECPay documents the balance rule but no code for it (10100248, which the
 * emulator used to send, is a card issuer/risk decline in ECPay's status table, not this).
 */
export const EMULATOR_BALANCE_ERROR = "90000004";
export const INSUFFICIENT_BALANCE_MESSAGE = "特店帳戶餘額不足，退款失敗 (the merchant's ECPay balance is too low for this refund)";

export interface ApiHangRule {
  /** API paths that hang, e.g. "/CreditDetail/DoAction" (default: every server-to-server API). */
  paths?: string[];
  /** Carry the request out, then never answer (the outcome is real but unknown to the caller). */
  afterApplying?: boolean;
}

export const apiHangSchema = z.object({ paths: z.array(z.string().startsWith("/")).optional(), afterApplying: z.boolean().optional() }).nullable();
export const merchantBalanceSchema = z.object({ merchantId: z.string().min(1), balance: z.number().int().min(0).nullable() });

export class ApiFaults {
  private hang: ApiHangRule | null = null;
  private readonly held = new Set<ServerResponse>();
  /** TWD available for refunds, per merchant; a merchant without an entry has enough. */
  private readonly balances = new Map<string, number>();

  /** null clears the rule and drops every request held so far (their callers see the connection end). */
  setHang(rule: ApiHangRule | null): void {
    this.hang = rule;
    if (rule) return;
    for (const res of this.held) res.destroy();
    this.held.clear();
  }

  /** How an API request on `path` hangs: "before" it is carried out, "after", or not at all. */
  hangFor(path: string): "before" | "after" | null {
    const rule = this.hang;
    if (!rule || (rule.paths && !rule.paths.includes(path))) return null;
    return rule.afterApplying ? "after" : "before";
  }

  /** Never answer `res`: whatever the handler writes is discarded; the socket stays open. */
  withhold(res: ServerResponse): void {
    this.held.add(res);
    res.once("close", () => this.held.delete(res));
    res.writeHead = (() => res) as unknown as ServerResponse["writeHead"];
    res.end = (() => res) as unknown as ServerResponse["end"];
  }

  setMerchantBalance(merchantId: string, balance: number | null): void {
    if (balance === null) this.balances.delete(merchantId);
    else this.balances.set(merchantId, balance);
  }

  /** A refund the merchant's balance cannot cover is declined; checked before the card rules apply. */
  refundRefusal(merchantId: string, action: string, amount: number): { code: string; message: string } | null {
    if (action !== "R") return null;
    const balance = this.balances.get(merchantId);
    return balance !== undefined && amount > balance ? { code: EMULATOR_BALANCE_ERROR, message: INSUFFICIENT_BALANCE_MESSAGE } : null;
  }

  /** A refund that went through is paid out of the balance. */
  refunded(merchantId: string, action: string, amount: number): void {
    const balance = this.balances.get(merchantId);
    if (action === "R" && balance !== undefined) this.balances.set(merchantId, balance - amount);
  }
}
