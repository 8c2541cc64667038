-- AlterTable
ALTER TABLE "PaymentSession" ADD COLUMN     "settledGroup" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "PaymentSession_settledGroup_key" ON "PaymentSession"("settledGroup");

