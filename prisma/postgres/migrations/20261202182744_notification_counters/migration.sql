-- AlterTable
ALTER TABLE "EcpayNotification" ADD COLUMN     "count" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "counterKey" TEXT,
ADD COLUMN     "fingerprint" TEXT,
ADD COLUMN     "lastReceivedAt" TIMESTAMP(3);

-- CreateIndex
CREATE UNIQUE INDEX "EcpayNotification_counterKey_key" ON "EcpayNotification"("counterKey");

