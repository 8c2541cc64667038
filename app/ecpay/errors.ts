// Every way a call to ECPay can fail is mapped to the closed EcpayError set here, in one place
// (types.ts documents the kinds). Callers describe what happened; this decides what it means.
import type { CredentialProblem, EcpayError } from "./types";

/** What went wrong, as observed by the transport or response parser. */
export type EcpayFailure =
  /** fetch rejected: DNS, connection reset, TLS, or our AbortController timeout. */
  | { type: "network"; timedOut: boolean; detail: string }
  /** ECPay answered with a non-2xx status. */
  | { type: "http"; status: number; body: string }
  /** ECPay answered 2xx but refused: RtnCode ≠ 1, a non-empty RtnMsg on QueryTrade/V2, an error text. */
  | { type: "rejected"; code?: string; message: string }
  /** ECPay answered 2xx with something we cannot read (not the documented shape). */
  | { type: "unreadable"; body: string; reason: string };

/** ECPay's CheckMacValue Error, and stage credentials used against production (10200094). */
const WRONG_CREDENTIAL_CODES = new Set(["10200073", "10200094"]);
/** Also MerchantID and CreditCheckCode (the back-office 商家檢查碼 QueryTrade/V2 needs) refused. */
const WRONG_CREDENTIAL_TEXT = /CheckMacValue\s*Error|CheckMacValue verify fail|MerchantID\s*Error|CreditCheckCode\s*Error/i;

/** 10200141: the service is not enabled for this merchant (support.ecpay.com.tw/16755). */
const NOT_ALLOWED_CODES = new Set(["10200141"]);
/**
 * Messages in which ECPay explains that its rules forbid the operation in the trade's current
 * state (ecpay-aio §4.1): partial refunds of installments/redemption, refund before close,
 * the 20:15–20:30 close window, the 21-day limit (error_overDate), amounts over the order.
 */
const NOT_ALLOWED_TEXT =
  /不允許|不可|不能|無法|不支援|未開通|狀態|已關帳|未關帳|已取消|已退|全額|部分|超過|逾期|overDate|not\s*allow|not\s*support|status|partial|exceed/i;

/** Finds an ECPay code (8 digits, e.g. 10200073) in a free-text body, if there is one. */
function codeInText(text: string): string | undefined {
  return /\b(1\d{7})\b/.exec(text)?.[1];
}

function truncate(text: string, max = 200): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}

/** True when ECPay's code or text says our CheckMacValue/MerchantID was refused. */
export function looksLikeWrongCredentials(code: string | undefined, text: string): boolean {
  return (code !== undefined && WRONG_CREDENTIAL_CODES.has(code)) || WRONG_CREDENTIAL_TEXT.test(text);
}

/** Which credential ECPay refused, for a form to point at: 10200094 is a stage MerchantID used in production. */
function credentialProblem(code: string | undefined, text: string): CredentialProblem {
  if (code === "10200094") return "stage-merchant-in-production";
  if (code !== "10200073" && /MerchantID\s*Error/i.test(text)) return "unknown-merchant";
  return "keys";
}

/** The single mapping from an observed failure to EcpayError. `operation` names the API for messages. */
export function mapEcpayFailure(operation: string, failure: EcpayFailure): EcpayError {
  switch (failure.type) {
    case "network":
      return {
        kind: "indeterminate",
        message: failure.timedOut
          ? `${operation}: ECPay did not answer in time; the outcome is unknown, query before retrying`
          : `${operation}: could not reach ECPay (${failure.detail}); the outcome is unknown, query before retrying`,
      };
    case "http": {
      if (failure.status === 403) {
        return {
          kind: "rate-limited",
          code: "403",
          message: `${operation}: ECPay refused with HTTP 403 (too many requests); wait before calling again`,
        };
      }
      const code = codeInText(failure.body);
      if (looksLikeWrongCredentials(code, failure.body)) {
        return {
          kind: "wrong-credentials",
          code: code ?? "10200073",
          credentials: credentialProblem(code, ""),
          message: `${operation}: ECPay rejected the CheckMacValue; check the MerchantID, HashKey and HashIV`,
        };
      }
      return {
        kind: "indeterminate",
        code: String(failure.status),
        message: `${operation}: ECPay answered HTTP ${failure.status}; the outcome is unknown, query before retrying`,
      };
    }
    case "rejected": {
      const code = failure.code ?? codeInText(failure.message);
      const text = truncate(failure.message) || "(no message)";
      if (looksLikeWrongCredentials(code, failure.message)) {
        return {
          kind: "wrong-credentials",
          ...(code !== undefined && { code }),
          credentials: credentialProblem(code, failure.message),
          message: `${operation}: ECPay rejected the credentials (${text}); check the MerchantID, HashKey and HashIV`,
        };
      }
      if ((code !== undefined && NOT_ALLOWED_CODES.has(code)) || NOT_ALLOWED_TEXT.test(failure.message)) {
        return {
          kind: "not-allowed",
          ...(code !== undefined && { code }),
          message: `${operation}: not allowed by ECPay's rules: ${text}`,
        };
      }
      return { kind: "declined", ...(code !== undefined && { code }), message: `${operation}: ECPay declined: ${text}` };
    }
    case "unreadable": {
      const code = codeInText(failure.body);
      if (looksLikeWrongCredentials(code, failure.body)) {
        return {
          kind: "wrong-credentials",
          code: code ?? "10200073",
          credentials: credentialProblem(code, ""),
          message: `${operation}: ECPay rejected the CheckMacValue; check the MerchantID, HashKey and HashIV`,
        };
      }
      return {
        kind: "indeterminate",
        message: `${operation}: unexpected answer from ECPay (${failure.reason}): ${truncate(failure.body) || "(empty)"}`,
      };
    }
  }
}

export function invalidInput(field: string, message: string): EcpayError {
  return { kind: "invalid-input", field, message: `${field}: ${message}` };
}

export function badSignature(message: string): EcpayError {
  return { kind: "bad-signature", message };
}
