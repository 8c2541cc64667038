-- The method columns become the PaymentMethod enum. Converted in place (USING), not dropped and
-- re-added as `prisma migrate diff` proposes: the rows keep their method, and the indexes on it are
-- rebuilt by PostgreSQL. Every value written so far is one of the eight handles.

-- CreateEnum
CREATE TYPE "PaymentMethod" AS ENUM ('credit', 'installments', 'redeem', 'unionpay', 'atm', 'webatm', 'twqr', 'wechatpay');

-- AlterTable
ALTER TABLE "AdminSession" ALTER COLUMN "method" SET DATA TYPE "PaymentMethod" USING ("method"::"PaymentMethod");
ALTER TABLE "EcpayNotification" ALTER COLUMN "method" SET DATA TYPE "PaymentMethod" USING ("method"::"PaymentMethod");
ALTER TABLE "OperationSession" ALTER COLUMN "method" SET DATA TYPE "PaymentMethod" USING ("method"::"PaymentMethod");
ALTER TABLE "OutboxMessage" ALTER COLUMN "method" SET DATA TYPE "PaymentMethod" USING ("method"::"PaymentMethod");
ALTER TABLE "PaymentSession" ALTER COLUMN "method" SET DATA TYPE "PaymentMethod" USING ("method"::"PaymentMethod");
ALTER TABLE "ShopInstallation" ALTER COLUMN "method" SET DATA TYPE "PaymentMethod" USING ("method"::"PaymentMethod");
