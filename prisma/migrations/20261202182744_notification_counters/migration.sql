-- Refused and duplicate ECPay messages are counted per (channel, outcome, trade), not stored whole.
ALTER TABLE "EcpayNotification" ADD COLUMN "counterKey" TEXT;
ALTER TABLE "EcpayNotification" ADD COLUMN "fingerprint" TEXT;
ALTER TABLE "EcpayNotification" ADD COLUMN "count" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "EcpayNotification" ADD COLUMN "lastReceivedAt" DATETIME;

-- CreateIndex
CREATE UNIQUE INDEX "EcpayNotification_counterKey_key" ON "EcpayNotification"("counterKey");
