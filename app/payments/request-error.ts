// A request we refuse: the HTTP status and a reason the caller (Shopify, ECPay, a browser) can read.
export interface RequestError {
  status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 500 | 503;
  message: string;
}

export const requestError = (status: RequestError["status"], message: string): RequestError => ({ status, message });

export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: string }).code === "P2002";
}
