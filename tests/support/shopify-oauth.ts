// Shopify's OAuth token endpoint for tests (POST /admin/oauth/access_token), reached by the app
// through shopify-oauth-preload.mjs: the authorization-code grant of the OAuth callback and the
// refresh grant of expiring offline tokens, with the request shapes @shopify/shopify-api sends
// (lib/auth/oauth/oauth.js callback, refresh-token.js), and the per-user (online) grant: an authorize
// request with grant_options[]=per-user yields a code whose exchange answers with `expires_in`,
// `associated_user_scope` and `associated_user` (shopify.dev, "Online access tokens"). Plus the
// signed callback query Shopify redirects the merchant's browser with.
import { createHmac, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

/** Environment for the built server (and ops commands) to send Shopify's token requests to `origin`. */
export function shopifyOAuthEnv(origin: string): Record<string, string> {
  const preload = `--import ${path.resolve("tests/support/shopify-oauth-preload.mjs")}`;
  return { NODE_OPTIONS: [process.env.NODE_OPTIONS, preload].filter(Boolean).join(" "), SHOPIFY_OAUTH_TEST_ORIGIN: origin };
}

export const OAUTH_SCOPES = "write_payment_gateways,write_payment_sessions";
const ACCESS_TTL_S = 3600;
const REFRESH_TTL_S = 90 * 24 * 3600;
/** Shopify's online tokens last a day (the example answer's 86399). */
const ONLINE_TTL_S = 86399;

export interface TokenRequest {
  shop: string;
  body: Record<string, string>;
  status: number;
}

export interface IssuedToken {
  shop: string;
  clientId: string;
  accessToken: string;
  refreshToken: string | null;
}

/** The staff member a per-user grant is for (Shopify's `associated_user`). */
export interface AssociatedUser {
  id: number;
  first_name: string;
  last_name: string;
  email: string;
  account_owner: boolean;
  locale: string;
  collaborator: boolean;
  email_verified: boolean;
}

export const DEFAULT_USER: AssociatedUser = {
  id: 902541635,
  first_name: "美玲",
  last_name: "陳",
  email: "owner@example.com",
  account_owner: true,
  locale: "zh-TW",
  collaborator: false,
  email_verified: true,
};

export interface ShopifyOAuthMock {
  origin: string;
  /** Every token request, in order. */
  requests: TokenRequest[];
  /** Every token issued, in order. */
  issued: IssuedToken[];
  /** A refresh token Shopify issued earlier for `shop` (single use: a refresh answers with a new one). */
  acceptRefreshToken(shop: string, clientId: string, refreshToken: string): void;
  /**
   * The merchant approves on Shopify's authorize page the browser was sent to (`authorizeUrl`):
   * the signed callback query Shopify redirects back with. A per-user grant's code answers with
   * an online token for `user`.
   */
  approve(authorizeUrl: string, secret: string, user?: AssociatedUser): string;
  close(): Promise<void>;
}

/**
 * `apps`: client_id → client_secret of every app allowed to ask. `onIssue` runs before a new token is
 * answered (e.g. to make the Shopify simulator accept it in place of the old one).
 */
export async function startShopifyOAuthMock(
  apps: Record<string, string>,
  options: { onIssue?: (token: IssuedToken) => void } = {},
): Promise<ShopifyOAuthMock> {
  const requests: TokenRequest[] = [];
  const issued: IssuedToken[] = [];
  /** refresh token → `${shop} ${clientId}` */
  const refreshable = new Map<string, string>();
  /** code of a per-user grant → the user and the client it was issued to */
  const perUserCodes = new Map<string, { user: AssociatedUser; clientId: string; shop: string }>();

  function issue(shop: string, clientId: string, expiring: boolean) {
    const token: IssuedToken = {
      shop,
      clientId,
      accessToken: `shpat_${randomBytes(8).toString("hex")}`,
      refreshToken: expiring ? `shprt_${randomBytes(8).toString("hex")}` : null,
    };
    issued.push(token);
    options.onIssue?.(token);
    if (token.refreshToken) refreshable.set(token.refreshToken, `${shop} ${clientId}`);
    return {
      access_token: token.accessToken,
      scope: OAUTH_SCOPES,
      ...(expiring && { expires_in: ACCESS_TTL_S, refresh_token: token.refreshToken, refresh_token_expires_in: REFRESH_TTL_S }),
    };
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://oauth.local");
      const shop = url.searchParams.get("shop") ?? "";
      let body: Record<string, string> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, string>;
      } catch {
        // answered 400 below
      }
      const answer = (status: number, json: unknown) => {
        requests.push({ shop, body, status });
        response.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(json));
      };
      if (request.method !== "POST" || url.pathname !== "/admin/oauth/access_token") return answer(404, { errors: "Not Found" });
      if (!body.client_id || apps[body.client_id] === undefined || apps[body.client_id] !== body.client_secret) {
        return answer(401, { error: "invalid_client", error_description: "Client authentication failed" });
      }
      if (body.grant_type === "refresh_token") {
        const owner = refreshable.get(body.refresh_token ?? "");
        if (owner !== `${shop} ${body.client_id}`) return answer(400, { error: "invalid_grant", error_description: "The refresh token is invalid or was already used" });
        refreshable.delete(body.refresh_token!);
        return answer(200, issue(shop, body.client_id, true));
      }
      if (!body.code) return answer(400, { error: "invalid_request", error_description: "code is missing" });
      const perUser = perUserCodes.get(body.code);
      if (perUser) {
        perUserCodes.delete(body.code);
        if (perUser.clientId !== body.client_id || perUser.shop !== shop) return answer(400, { error: "invalid_grant", error_description: "The authorization code is invalid" });
        const token = issue(shop, body.client_id, false);
        return answer(200, { access_token: token.access_token, scope: OAUTH_SCOPES, expires_in: ONLINE_TTL_S, associated_user_scope: OAUTH_SCOPES, associated_user: perUser.user });
      }
      return answer(200, issue(shop, body.client_id, body.expiring === "1"));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    issued,
    acceptRefreshToken(shop, clientId, refreshToken) {
      refreshable.set(refreshToken, `${shop} ${clientId}`);
    },
    approve(authorizeUrl, secret, user = DEFAULT_USER) {
      const asked = new URL(authorizeUrl);
      const shop = asked.hostname;
      const code = randomBytes(8).toString("hex");
      if (asked.searchParams.getAll("grant_options[]").includes("per-user")) perUserCodes.set(code, { user, clientId: asked.searchParams.get("client_id") ?? "", shop });
      return signedOAuthCallbackQuery({ shop, state: asked.searchParams.get("state") ?? "", secret, code });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The query Shopify sends the merchant back with after they approve the app (the OAuth callback),
 * signed as Shopify signs it: every parameter but hmac, sorted, form-encoded, HMAC-SHA256 hex with
 * the app's secret.
 */
export function signedOAuthCallbackQuery(input: { shop: string; state: string; secret: string; code?: string }): string {
  const params: Record<string, string> = {
    code: input.code ?? randomBytes(8).toString("hex"),
    host: Buffer.from(`admin.shopify.com/store/${input.shop.replace(/\.myshopify\.com$/, "")}`).toString("base64"),
    shop: input.shop,
    state: input.state,
    timestamp: String(Math.floor(Date.now() / 1000)),
  };
  const sorted = new URLSearchParams(Object.keys(params).sort((a, b) => a.localeCompare(b)).map((k) => [k, params[k]!]));
  const hmac = createHmac("sha256", input.secret).update(sorted.toString()).digest("hex");
  sorted.append("hmac", hmac);
  return sorted.toString();
}
