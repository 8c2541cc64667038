// A small HTTP proxy used twice by the chaos run: as the load balancer in front of the server
// instances (ECPay, Shopify and the buyer all reach the app through it, so a killed instance
// looks like a real outage) and between the server and the Shopify simulator, where it injects
// Shopify's failures: 500s, timeouts and throttling, before or after Shopify processed the call.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Fault =
  | { kind: "pass" }
  /** Answer `status` without forwarding, or (`after`) forward, then answer `status` anyway: Shopify applied it. */
  | { kind: "error"; status: number; after: boolean }
  /** Hold the request `ms` (longer than the client's timeout); `after`: forward first. */
  | { kind: "hang"; ms: number; after: boolean }
  | { kind: "throttle"; retryAfterSeconds: number };

export interface ProxiedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface Exchange {
  request: ProxiedRequest;
  fault: Fault;
  /** Whether the upstream received the request. */
  forwarded: boolean;
  /** What the upstream answered (null when not forwarded or it failed). */
  upstreamStatus: number | null;
  upstreamBody: string | null;
  /** What the client got. */
  status: number;
  startedAt: number;
  endedAt: number;
}

export interface ProxyOptions {
  /** Origins to forward to; tried round-robin, the next one when a connection is refused. */
  upstreams: () => string[];
  decide?: (request: ProxiedRequest) => Fault;
  onExchange?: (exchange: Exchange) => void;
}

export interface Proxy {
  origin: string;
  close(): Promise<void>;
}

interface UpstreamAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "host", "content-length"]);

function forward(origin: string, request: ProxiedRequest): Promise<UpstreamAnswer> {
  const url = new URL(request.path, origin);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  }
  if (request.body.length > 0 || !["GET", "HEAD"].includes(request.method)) headers["content-length"] = String(request.body.length);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { method: request.method, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on("error", reject);
    });
    outgoing.on("error", reject);
    outgoing.end(request.body);
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function readAll(incoming: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => resolve(Buffer.concat(chunks)));
    incoming.on("error", reject);
  });
}

function reply(response: ServerResponse, status: number, headers: IncomingHttpHeaders, body: Buffer | string) {
  if (response.headersSent || response.destroyed) return;
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  response.writeHead(status, out);
  response.end(body);
}

export async function startProxy(options: ProxyOptions): Promise<Proxy> {
  let turn = 0;
  const sockets = new Set<import("node:net").Socket>();

  async function toUpstream(request: ProxiedRequest): Promise<UpstreamAnswer | null> {
    const upstreams = options.upstreams();
    const start = turn++;
    for (let i = 0; i < upstreams.length; i += 1) {
      const origin = upstreams[(start + i) % upstreams.length]!;
      try {
        return await forward(origin, request);
      } catch (error) {
        // Only a refused connection is safe to try elsewhere: the request never arrived.
        if ((error as NodeJS.ErrnoException).code !== "ECONNREFUSED") return null;
      }
    }
    return null;
  }

  const server = createServer((incoming, response) => {
    void (async () => {
      const startedAt = Date.now();
      const request: ProxiedRequest = {
        method: incoming.method ?? "GET",
        path: incoming.url ?? "/",
        headers: incoming.headers,
        body: await readAll(incoming),
      };
      const fault = options.decide?.(request) ?? { kind: "pass" };
      let answer: UpstreamAnswer | null = null;
      let forwarded = false;
      const send = async (): Promise<void> => {
        forwarded = true;
        answer = await toUpstream(request);
      };
      let status: number;
      switch (fault.kind) {
        case "pass":
          await send();
          status = answer ? (answer as UpstreamAnswer).status : 502;
          if (answer) reply(response, status, (answer as UpstreamAnswer).headers, (answer as UpstreamAnswer).body);
          else reply(response, 502, { "content-type": "text/plain" }, "Bad gateway: no instance answered");
          break;
        case "error":
          if (fault.after) await send();
          status = fault.status;
          reply(response, status, { "content-type": "application/json" }, JSON.stringify({ errors: "Internal Server Error (injected)" }));
          break;
        case "hang":
          if (fault.after) await send();
          await sleep(fault.ms);
          status = 504;
          reply(response, 504, { "content-type": "text/plain" }, "Gateway timeout (injected)");
          break;
        case "throttle":
          status = 429;
          reply(response, 429, { "content-type": "application/json", "retry-after": String(fault.retryAfterSeconds) }, JSON.stringify({ errors: "Throttled (injected)" }));
          break;
      }
      const upstream = answer as UpstreamAnswer | null;
      options.onExchange?.({
        request,
        fault,
        forwarded,
        upstreamStatus: upstream?.status ?? null,
        upstreamBody: upstream ? upstream.body.toString("utf8") : null,
        status,
        startedAt,
        endedAt: Date.now(),
      });
    })().catch((error: unknown) => {
      reply(response, 502, { "content-type": "text/plain" }, `proxy error: ${String(error)}`);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
