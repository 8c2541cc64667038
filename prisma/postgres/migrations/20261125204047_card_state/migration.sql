-- AlterTable
ALTER TABLE "PaymentAttempt" ADD COLUMN     "cardState" TEXT,
ADD COLUMN     "closeError" TEXT,
ADD COLUMN     "closePending" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE INDEX "PaymentAttempt_closePending_idx" ON "PaymentAttempt"("closePending");
