// Server-to-server POSTs to the merchant (ReturnURL, PaymentInfoURL), as ECPay sends them (§3.1):
// form-encoded, signed, resent until the body is exactly `1|OK` (every notifyRetryIntervalMs, at
// most notifyMaxAttempts times), never following redirects (§3.1: 302/308 lost notifications).
// Fault rules let tests drop, duplicate or delay deliveries; every attempt is logged.
import type { NotificationFaultRule, NotificationKind, NotificationLogEntry } from "./types";

export interface NotifierOptions {
  retryIntervalMs: number;
  maxAttempts: number;
  timeoutMs: number;
  now: () => Date;
}

export interface Delivery {
  /**
   * Settles after the first attempt (sent, failed or dropped), or at once when a delay rule holds
   * the notification back: the browser is not kept waiting for a delayed notification.
   */
  firstAttempt: Promise<void>;
  /** Settles when acknowledged or out of attempts (or the emulator closed). */
  done: Promise<void>;
}

/** Exactly `1|OK`: "回傳值為純字串並無參數名稱"; `1|ok`, quotes or a newline do not count (§3.1). */
export const ACK = "1|OK";

export class Notifier {
  private readonly log: NotificationLogEntry[] = [];
  private readonly pending = new Set<Promise<void>>();
  /** Pending sleeps; close() wakes them so every delivery loop ends. */
  private readonly sleepers = new Map<NodeJS.Timeout, () => void>();
  private readonly controllers = new Set<AbortController>();
  private fault: NotificationFaultRule | null = null;
  private closed = false;

  constructor(private readonly options: NotifierOptions) {}

  setFault(rule: NotificationFaultRule | null): void {
    this.fault = rule ? { ...rule } : null;
  }

  entries(): NotificationLogEntry[] {
    return this.log.map((entry) => ({ ...entry, fields: { ...entry.fields } }));
  }

  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  close(): void {
    this.closed = true;
    for (const [timer, wake] of this.sleepers) {
      clearTimeout(timer);
      wake();
    }
    this.sleepers.clear();
    for (const controller of this.controllers) controller.abort();
  }

  /**
   * Starts delivering. `fieldsFor(attempt)` builds the signed fields per attempt, because resends
   * carry RtnMsg=paid (§3.1) and so a different CheckMacValue.
   */
  deliver(
    kind: NotificationKind,
    url: string,
    merchantTradeNo: string,
    fieldsFor: (attempt: number) => Record<string, string>,
  ): Delivery {
    let markFirst: () => void = () => undefined;
    const firstAttempt = new Promise<void>((resolve) => {
      markFirst = resolve;
    });
    const done = (async () => {
      try {
        const delay = this.fault?.delayMs ?? 0;
        if (delay > 0) {
          markFirst();
          await this.sleep(delay);
        }
        for (let attempt = 1; attempt <= this.options.maxAttempts && !this.closed; attempt += 1) {
          if (attempt > 1) await this.sleep(this.options.retryIntervalMs);
          if (this.closed) break;
          const acknowledged = await this.attempt(kind, url, merchantTradeNo, attempt, fieldsFor(attempt));
          markFirst();
          if (acknowledged) break;
        }
      } finally {
        markFirst();
      }
    })();
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
    return { firstAttempt, done };
  }

  private async attempt(
    kind: NotificationKind,
    url: string,
    merchantTradeNo: string,
    attempt: number,
    fields: Record<string, string>,
  ): Promise<boolean> {
    const base = { kind, url, merchantTradeNo, attempt, fields, duplicate: false };
    if (this.fault?.drop && this.fault.drop > 0) {
      this.fault.drop -= 1;
      this.log.push({
        ...base,
        sentAt: this.options.now().toISOString(),
        dropped: true,
        status: null,
        body: null,
        error: "dropped by the notification fault rule",
        acknowledged: false,
      });
      return false;
    }
    const acknowledged = await this.post(base, fields);
    if (this.fault?.duplicate) await this.post({ ...base, duplicate: true }, fields);
    return acknowledged;
  }

  private async post(
    base: Pick<NotificationLogEntry, "kind" | "url" | "merchantTradeNo" | "attempt" | "duplicate">,
    fields: Record<string, string>,
  ): Promise<boolean> {
    const entry: NotificationLogEntry = {
      ...base,
      fields,
      sentAt: this.options.now().toISOString(),
      dropped: false,
      status: null,
      body: null,
      error: null,
      acknowledged: false,
    };
    this.log.push(entry);
    const controller = new AbortController();
    this.controllers.add(controller);
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    try {
      const response = await fetch(base.url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
        body: new URLSearchParams(fields).toString(),
        redirect: "manual",
        signal: controller.signal,
      });
      entry.status = response.status;
      entry.body = await response.text();
      entry.acknowledged = response.status === 200 && entry.body === ACK;
    } catch (error) {
      entry.error = error instanceof Error ? error.message : String(error);
    } finally {
      clearTimeout(timer);
      this.controllers.delete(controller);
    }
    return entry.acknowledged;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleepers.delete(timer);
        resolve();
      }, ms);
      this.sleepers.set(timer, resolve);
    });
  }
}
