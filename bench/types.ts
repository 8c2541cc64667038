// Shapes shared by the orchestrator, the load generator process and the report.
import { z } from "zod";

export const loadSpec = z.object({
  origin: z.string().url(),
  endpoint: z.enum(["bare", "session", "notification"]),
  connections: z.number().int().positive(),
  durationSec: z.number().positive(),
  /** Fixed request rate over all connections; unlimited when absent. */
  overallRate: z.number().positive().optional(),
  /** Session ids are `${idPrefix}${n}`. */
  idPrefix: z.string().regex(/^[A-Za-z0-9]+$/),
  /** Notification trades are pool trades offset, offset+1, …: each request settles a different trade. */
  poolPrefix: z.string().regex(/^[A-Za-z0-9]+$/).optional(),
  offset: z.number().int().nonnegative().default(0),
  /** How many pool trades are left from `offset`; the run stops (and says so) when they run out. */
  available: z.number().int().nonnegative().default(Number.MAX_SAFE_INTEGER),
});
export type LoadSpecInput = z.input<typeof loadSpec>;
export type LoadSpec = z.output<typeof loadSpec>;

export interface LatencyMs {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface LoadResult {
  endpoint: "bare" | "session" | "notification";
  connections: number;
  overallRate: number | null;
  durationSec: number;
  /** Responses received. */
  requests: number;
  rps: number;
  latencyMs: LatencyMs;
  /** Responses that were exactly what the caller expects (200 + redirect_url, 200 + "1|OK"). */
  ok: number;
  rejected: number;
  firstRejection: string | null;
  errors: number;
  timeouts: number;
  /** Distinct ids / trades handed out (a few more than `requests`: the last ones were in flight). */
  idsUsed: number;
  exhausted: boolean;
}
