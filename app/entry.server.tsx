import { Transform } from "node:stream";
import { createReadableStreamFromReadable, type ActionFunctionArgs, type EntryContext, type LoaderFunctionArgs } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { loadServerConfig } from "./config.server";
import { isDatabaseUnavailable, reportDatabaseUnavailable } from "./lib/database-unavailable.server";
import { log, logPaymentEvent } from "./lib/log.server";
import { metrics, routeFamily } from "./lib/metrics.server";
import { createSecretBox } from "./lib/secrets.server";

/**
 * React 18's streaming renderer can leave NUL bytes at the end of a 2 KB chunk when a multi-byte
 * character (our zh-TW text) crosses it (react/react#31134, fixed in React 19); browsers and
 * crawlers then see a broken character. Our HTML never carries a NUL (inputs with one are refused),
 * so dropping every 0x00 byte restores the page exactly.
 */
export function withoutNulBytes(): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      done(null, chunk.includes(0) ? chunk.filter((byte) => byte !== 0) : chunk);
    },
  });
}

const ABORT_DELAY = 5000;

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
) {
  const userAgent = request.headers.get("user-agent");
  const callbackName = isbot(userAgent ?? "") ? "onAllReady" : "onShellReady";

  return new Promise<Response>((resolve, reject) => {
    const { pipe, abort } = renderToPipeableStream(<RemixServer context={remixContext} url={request.url} />, {
      [callbackName]: () => {
        const body = withoutNulBytes();
        const stream = createReadableStreamFromReadable(body);
        responseHeaders.set("Content-Type", "text/html; charset=utf-8");
        resolve(new Response(stream, { headers: responseHeaders, status: responseStatusCode }));
        pipe(body);
      },
      onShellError(error) {
        reject(error);
      },
      onError(error) {
        responseStatusCode = 500;
        log().error({ err: error }, "rendering failed");
      },
    });
    setTimeout(abort, ABORT_DELAY);
  });
}

/** A route failed: an unreachable database becomes a 503 (server.ts); anything else is a defect. */
export function handleError(error: unknown, { request, context }: LoaderFunctionArgs | ActionFunctionArgs): void {
  if (request.signal.aborted) return;
  if (isDatabaseUnavailable(error)) {
    reportDatabaseUnavailable(context);
    const detail = error instanceof Error ? error.message.split("\n").filter(Boolean).pop() : String(error);
    metrics().databaseUnavailable.inc();
    logPaymentEvent("database.unavailable", { reason: `${request.method} ${routeFamily(new URL(request.url).pathname)}: ${detail ?? ""}`.slice(0, 300) });
    return;
  }
  log().error({ err: error }, "request failed");
}

// The custom server (server.ts) reaches the background workers through the Remix build's entry
// module, so the workers share this build's module instances (one Prisma client, one config).
export { startBackgroundWorkers } from "./jobs/workers.server";
export { prepareDatabase } from "./db.server";
export { refreshOperationalMetrics } from "./ops/metrics-snapshot.server";

/** Fail fast at start: configuration and the encryption key must be valid before we serve. */
export function validateStartup(): void {
  loadServerConfig();
  createSecretBox();
}
