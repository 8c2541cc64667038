// The load generator: one autocannon run in its own process (never in the server's or the
// orchestrator's), driven by a JSON spec in argv[2]; prints one "RESULT {json}" line.
// Every request carries a distinct id or trade, and every answer is checked, not just its status.
import autocannon, { type RawRequest } from "autocannon";
import { ENDPOINT_PATHS, type Endpoint, notificationBody, sessionBody, sessionHeaders } from "./traffic";
import { loadSpec, type LoadResult, type LoadSpec } from "./types";

const expectations: Record<Endpoint, (status: number, body: string) => boolean> = {
  bare: (status, body) => status === 200 && body.includes('"ok":true'),
  session: (status, body) => status === 200 && body.includes('"redirect_url"'),
  notification: (status, body) => status === 200 && body === "1|OK",
};

function run(spec: LoadSpec): Promise<LoadResult> {
  const { method, path } = ENDPOINT_PATHS[spec.endpoint];
  let used = 0;
  let exhausted = false;
  let rejected = 0;
  let firstRejection: string | null = null;
  const expect = expectations[spec.endpoint];

  const setupRequest = (request: RawRequest): RawRequest => {
    if (spec.endpoint === "bare") return request;
    if (spec.endpoint === "session") {
      const id = `${spec.idPrefix}${used++}`;
      return { ...request, headers: sessionHeaders(), body: sessionBody(id) };
    }
    if (used >= spec.available) {
      exhausted = true;
      instance.stop();
    }
    const index = spec.offset + Math.min(used++, Math.max(0, spec.available - 1));
    return {
      ...request,
      headers: { "Content-Type": "application/x-www-form-urlencoded", "User-Agent": "ECPay bench" },
      body: notificationBody(spec.poolPrefix ?? "", index),
    };
  };

  let instance: ReturnType<typeof autocannon>;
  return new Promise((resolve, reject) => {
    instance = autocannon(
      {
        url: spec.origin,
        connections: spec.connections,
        duration: spec.durationSec,
        timeout: 30,
        ...(spec.overallRate ? { overallRate: spec.overallRate } : {}),
        requests: [
          {
            method,
            path,
            setupRequest,
            onResponse: (status, body) => {
              if (expect(status, body)) return;
              rejected += 1;
              firstRejection ??= `${status} ${body.slice(0, 200)}`;
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        const seconds = (result.finish.getTime() - result.start.getTime()) / 1000;
        resolve({
          endpoint: spec.endpoint,
          connections: spec.connections,
          overallRate: spec.overallRate ?? null,
          durationSec: round(seconds, 2),
          requests: result.requests.total,
          rps: round(result.requests.total / seconds, 1),
          latencyMs: {
            p50: result.latency.p50,
            p90: result.latency.p90,
            p99: result.latency.p99,
            max: result.latency.max,
            mean: round(result.latency.mean, 2),
          },
          ok: result.requests.total - rejected,
          rejected,
          firstRejection,
          errors: result.errors,
          timeouts: result.timeouts,
          idsUsed: used,
          exhausted,
        });
      },
    );
  });
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

const spec = loadSpec.parse(JSON.parse(process.argv[2] ?? "{}"));
run(spec).then(
  (result) => console.info(`RESULT ${JSON.stringify(result)}`),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : String(error));
    process.exit(1);
  },
);
