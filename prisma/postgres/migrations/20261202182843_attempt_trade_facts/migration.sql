-- AlterTable
ALTER TABLE "PaymentAttempt" ADD COLUMN     "installmentStages" INTEGER,
ADD COLUMN     "redeemedAmount" INTEGER,
ADD COLUMN     "unionPay" BOOLEAN NOT NULL DEFAULT false;

