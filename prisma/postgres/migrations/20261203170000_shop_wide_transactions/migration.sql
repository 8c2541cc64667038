-- The shop-wide transactions list (every app of the shop, newest first, keyset by createdAt, id).
-- CreateIndex
CREATE INDEX "PaymentSession_shop_createdAt_id_idx" ON "PaymentSession"("shop", "createdAt", "id");
