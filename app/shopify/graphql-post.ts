// One POST of a GraphQL document to Shopify with an app's token, under one deadline that covers
// the body too (a server that stalls mid-body is a timeout). Shared by the Payments Apps client
// and the Admin API client; never throws and never logs (the token must not end up in logs).
import { err, ok, type Result } from "neverthrow";

export interface GraphqlAnswer {
  status: number;
  headers: Headers;
  text: string;
}

export interface GraphqlPostFailure {
  timedOut: boolean;
  /** Why the call did not answer (no token in it). */
  cause: string;
}

export async function postGraphql(
  fetchImpl: typeof fetch,
  url: string,
  accessToken: string,
  body: unknown,
  timeoutMs: number,
): Promise<Result<GraphqlAnswer, GraphqlPostFailure>> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetchImpl(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-Shopify-Access-Token": accessToken },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    return ok({ status: response.status, headers: response.headers, text: await response.text() });
  } catch (error) {
    return err({ timedOut: controller.signal.aborted, cause: describe(error) });
  } finally {
    clearTimeout(timer);
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
