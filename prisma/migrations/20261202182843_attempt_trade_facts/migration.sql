-- AlterTable
ALTER TABLE "PaymentAttempt" ADD COLUMN "unionPay" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "PaymentAttempt" ADD COLUMN "installmentStages" INTEGER;
ALTER TABLE "PaymentAttempt" ADD COLUMN "redeemedAmount" INTEGER;
