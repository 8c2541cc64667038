// Fault injection for the chaos suite (scripts/chaos.ts). Inert unless CHAOS_KILL_POINTS is set,
// e.g. "notification-recorded=0.03,outbox-delivered=0.02": at each named point the process then
// kills itself with SIGKILL with that probability, to prove that a crash at the worst moment
// (state stored, answer not yet sent) loses nothing. Never set it in production.
import { writeSync } from "node:fs";

export const CHAOS_POINTS = [
  /** A payment session is stored; Shopify has not had our 200 yet. */
  "session-stored",
  /** An ECPay notification and its effect are committed; ECPay has not had "1|OK" yet. */
  "notification-recorded",
  /** An outbox row is claimed; the Shopify mutation has not been sent. */
  "outbox-claimed",
  /** Shopify accepted a mutation; we have not recorded the delivery. */
  "outbox-delivered",
  /** ECPay carried out a refund/capture/void; we have not recorded it. */
  "operation-done-at-ecpay",
] as const;

export type ChaosPoint = (typeof CHAOS_POINTS)[number];

function parse(raw: string | undefined): Map<string, number> | null {
  if (!raw) return null;
  const points = new Map<string, number>();
  for (const part of raw.split(",")) {
    const [name, probability] = part.split("=");
    const p = Number(probability);
    if (name && (CHAOS_POINTS as readonly string[]).includes(name.trim()) && p > 0) points.set(name.trim(), Math.min(p, 1));
  }
  return points.size > 0 ? points : null;
}

const points = parse(process.env.CHAOS_KILL_POINTS);

/** Maybe die here (only when CHAOS_KILL_POINTS names this point). */
export function chaosPoint(name: ChaosPoint, subject = ""): void {
  if (!points) return;
  const probability = points.get(name);
  if (!probability || Math.random() >= probability) return;
  // Synchronous write: the supervisor counts kills per point from this line.
  writeSync(1, `chaos: SIGKILL at ${name} ${subject}\n`);
  process.kill(process.pid, "SIGKILL");
}
