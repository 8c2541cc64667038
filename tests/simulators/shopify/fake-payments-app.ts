// A tiny stand-in for our payments app, for testing the simulator's request sender: it records
// what Shopify sends and answers as each test scripts it.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export interface ScriptedResponse {
  status: number;
  body?: unknown;
  /** Wait this long before answering (to trigger the sender's timeout). */
  delayMs?: number;
}

export type Responder = (request: ReceivedRequest, attempt: number) => ScriptedResponse | Promise<ScriptedResponse>;

export interface FakePaymentsApp {
  origin: string;
  received: ReceivedRequest[];
  /** Replace how the app answers; `attempt` counts requests with the same body id (1-based). */
  respondWith(responder: Responder): void;
  close(): Promise<void>;
}

/** By default: payment sessions get 200 {redirect_url}, refund/capture/void get 201 with an empty body. */
export const defaultResponder =
  (origin: () => string): Responder =>
  (request) =>
    request.path.endsWith("/session")
      ? { status: 200, body: { redirect_url: `${origin()}/pay/${String(request.body.id)}` } }
      : { status: 201 };

export async function startFakePaymentsApp(): Promise<FakePaymentsApp> {
  const received: ReceivedRequest[] = [];
  let origin = "";
  let responder: Responder = defaultResponder(() => origin);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      void (async () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: Record<string, unknown> = {};
        try {
          body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        } catch {
          body = { _raw: text };
        }
        const request: ReceivedRequest = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body };
        received.push(request);
        const attempt = received.filter((r) => r.path === request.path && r.body.id === body.id).length;
        const answer = await responder(request, attempt);
        if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs).unref());
        if (res.destroyed) return;
        res.writeHead(answer.status, { "Content-Type": "application/json" });
        res.end(answer.body === undefined ? "" : JSON.stringify(answer.body));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    received,
    respondWith(next) {
      responder = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
