export function routeShopifyTokenRequest(url: string, origin: string): string;
