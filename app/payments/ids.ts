// Branded ids: a string that passed its parser, so a function taking a PaymentId cannot be handed a
// MerchantTradeNo or an unchecked route param by mistake. Parse at the edge (route params, form
// fields, Shopify's and ECPay's bodies) with the schemas or the create* functions; inside, pass the
// branded value on. Prisma rows give plain strings: brand them only after a parse, never by a cast.
import { z } from "zod";

/** Shopify's payment session id (PaymentSession.id; the `id` of its payment session request). */
export const PaymentIdSchema = z.string().min(1).max(255).brand("PaymentId");
export type PaymentId = z.infer<typeof PaymentIdSchema>;
export const createPaymentId = (raw: string): PaymentId => PaymentIdSchema.parse(raw);

/**
 * A shop's domain as Shopify names it, lower case. Shopify's requests carry the permanent
 * `*.myshopify.com` one (shopify-requests.ts checks that at that edge); an admin session may name
 * a custom domain (SHOP_CUSTOM_DOMAIN), so this accepts any DNS host name.
 */
export const ShopDomainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(255)
  .regex(/^[a-z0-9][a-z0-9-]*(?:\.[a-z0-9][a-z0-9-]*)+$/, "must be a shop domain such as shop.myshopify.com")
  .brand("ShopDomain");
export type ShopDomain = z.infer<typeof ShopDomainSchema>;
export const createShopDomain = (raw: string): ShopDomain => ShopDomainSchema.parse(raw);

/** Our id of one ECPay attempt (ecpay-aio §2.5: at most 20 letters and digits). */
export const MerchantTradeNoSchema = z.string().regex(/^[A-Za-z0-9]{1,20}$/, "must be 1 to 20 letters and digits").brand("MerchantTradeNo");
export type MerchantTradeNo = z.infer<typeof MerchantTradeNoSchema>;
export const createMerchantTradeNo = (raw: string): MerchantTradeNo => MerchantTradeNoSchema.parse(raw);

/** ECPay's own id of a trade (TradeNo, 20 characters at most). */
export const TradeNoSchema = z.string().regex(/^[A-Za-z0-9]{1,20}$/, "must be 1 to 20 letters and digits").brand("TradeNo");
export type TradeNo = z.infer<typeof TradeNoSchema>;
export const createTradeNo = (raw: string): TradeNo => TradeNoSchema.parse(raw);

/** One queued Shopify mutation (OutboxMessage.id, a cuid). */
export const OutboxMessageIdSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, "must be an outbox message id").brand("OutboxMessageId");
export type OutboxMessageId = z.infer<typeof OutboxMessageIdSchema>;
export const createOutboxMessageId = (raw: string): OutboxMessageId => OutboxMessageIdSchema.parse(raw);
