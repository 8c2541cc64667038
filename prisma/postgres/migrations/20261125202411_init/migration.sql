-- CreateEnum
CREATE TYPE "InstallationStatus" AS ENUM ('INSTALLED', 'UNINSTALLED');

-- CreateEnum
CREATE TYPE "PaymentKind" AS ENUM ('SALE', 'AUTHORIZATION');

-- CreateEnum
CREATE TYPE "PaymentStatus" AS ENUM ('RECEIVED', 'REDIRECTED', 'PENDING', 'AUTHORIZED', 'PAID', 'REJECTED', 'VOIDED', 'PARTIALLY_REFUNDED', 'REFUNDED');

-- CreateEnum
CREATE TYPE "AttemptStatus" AS ENUM ('CREATED', 'ISSUED', 'PAID', 'FAILED', 'EXPIRED');

-- CreateEnum
CREATE TYPE "OperationType" AS ENUM ('CAPTURE', 'VOID', 'REFUND');

-- CreateEnum
CREATE TYPE "OperationStatus" AS ENUM ('RECEIVED', 'SUCCEEDED', 'FAILED');

-- CreateEnum
CREATE TYPE "OutboxStatus" AS ENUM ('PENDING', 'DELIVERED', 'FAILED');

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "isOnline" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" TIMESTAMP(3),
    "accessToken" TEXT NOT NULL,
    "userId" BIGINT,
    "firstName" TEXT,
    "lastName" TEXT,
    "email" TEXT,
    "accountOwner" BOOLEAN NOT NULL DEFAULT false,
    "locale" TEXT,
    "collaborator" BOOLEAN DEFAULT false,
    "emailVerified" BOOLEAN DEFAULT false,
    "refreshToken" TEXT,
    "refreshTokenExpires" TIMESTAMP(3),

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ShopInstallation" (
    "id" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "status" "InstallationStatus" NOT NULL DEFAULT 'INSTALLED',
    "bindingId" TEXT,
    "configuredReady" BOOLEAN NOT NULL DEFAULT false,
    "configuredHandle" TEXT,
    "configureError" TEXT,
    "settings" TEXT NOT NULL DEFAULT '{}',
    "locale" TEXT,
    "captureReviewedAt" TIMESTAMP(3),
    "installedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ShopInstallation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EcpayBinding" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "merchantId" TEXT NOT NULL,
    "hashKeyEnc" TEXT NOT NULL,
    "hashIvEnc" TEXT NOT NULL,
    "stageMerchantId" TEXT,
    "stageHashKeyEnc" TEXT,
    "stageHashIvEnc" TEXT,
    "creditCheckCodeEnc" TEXT,
    "accountName" TEXT,
    "verifiedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EcpayBinding_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PaymentSession" (
    "id" TEXT NOT NULL,
    "gid" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "group" TEXT NOT NULL,
    "amount" INTEGER,
    "amountRaw" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "kind" "PaymentKind" NOT NULL,
    "test" BOOLEAN NOT NULL,
    "cancelUrl" TEXT NOT NULL,
    "merchantLocale" TEXT,
    "customer" TEXT,
    "customerEmail" TEXT,
    "proposedAt" TIMESTAMP(3) NOT NULL,
    "status" "PaymentStatus" NOT NULL DEFAULT 'RECEIVED',
    "capturedAmount" INTEGER NOT NULL DEFAULT 0,
    "refundedAmount" INTEGER NOT NULL DEFAULT 0,
    "authorizationExpiresAt" TIMESTAMP(3),
    "pendingExpiresAt" TIMESTAMP(3),
    "nextActionUrl" TEXT,
    "rejectCode" TEXT,
    "merchantMessage" TEXT,
    "flag" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PaymentSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PaymentAttempt" (
    "merchantTradeNo" TEXT NOT NULL,
    "paymentSessionId" TEXT NOT NULL,
    "merchantId" TEXT NOT NULL,
    "stage" BOOLEAN NOT NULL,
    "status" "AttemptStatus" NOT NULL DEFAULT 'CREATED',
    "amount" INTEGER NOT NULL,
    "tradeNo" TEXT,
    "paymentType" TEXT,
    "tradeAmt" INTEGER,
    "chargeFee" TEXT,
    "paymentDate" TEXT,
    "simulatePaid" BOOLEAN NOT NULL DEFAULT false,
    "rtnCode" TEXT,
    "rtnMsg" TEXT,
    "bankCode" TEXT,
    "vAccount" TEXT,
    "expireDate" TEXT,
    "gwsr" TEXT,
    "lastQueriedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PaymentAttempt_pkey" PRIMARY KEY ("merchantTradeNo")
);

-- CreateTable
CREATE TABLE "EcpayNotification" (
    "id" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "merchantTradeNo" TEXT,
    "rawBody" TEXT NOT NULL,
    "signatureValid" BOOLEAN NOT NULL,
    "outcome" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "EcpayNotification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OperationSession" (
    "id" TEXT NOT NULL,
    "gid" TEXT NOT NULL,
    "type" "OperationType" NOT NULL,
    "paymentSessionId" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "amount" INTEGER,
    "amountRaw" TEXT,
    "currency" TEXT,
    "test" BOOLEAN NOT NULL,
    "status" "OperationStatus" NOT NULL DEFAULT 'RECEIVED',
    "simulated" BOOLEAN NOT NULL DEFAULT false,
    "ecpayLog" TEXT,
    "rejectCode" TEXT,
    "merchantMessage" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" TIMESTAMP(3),
    "proposedAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OperationSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OutboxMessage" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "mutation" TEXT NOT NULL,
    "subjectId" TEXT NOT NULL,
    "variables" TEXT NOT NULL,
    "status" "OutboxStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedBy" TEXT,
    "lockedUntil" TIMESTAMP(3),
    "lastError" TEXT,
    "response" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" TIMESTAMP(3),

    CONSTRAINT "OutboxMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OutboxAttempt" (
    "id" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "ok" BOOLEAN NOT NULL,
    "httpStatus" INTEGER,
    "error" TEXT,
    "response" TEXT,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OutboxAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Session_shop_idx" ON "Session"("shop");

-- CreateIndex
CREATE INDEX "ShopInstallation_shop_idx" ON "ShopInstallation"("shop");

-- CreateIndex
CREATE UNIQUE INDEX "ShopInstallation_method_shop_key" ON "ShopInstallation"("method", "shop");

-- CreateIndex
CREATE INDEX "EcpayBinding_shop_idx" ON "EcpayBinding"("shop");

-- CreateIndex
CREATE INDEX "PaymentSession_shop_method_createdAt_idx" ON "PaymentSession"("shop", "method", "createdAt");

-- CreateIndex
CREATE INDEX "PaymentSession_group_idx" ON "PaymentSession"("group");

-- CreateIndex
CREATE INDEX "PaymentSession_status_updatedAt_idx" ON "PaymentSession"("status", "updatedAt");

-- CreateIndex
CREATE INDEX "PaymentAttempt_paymentSessionId_idx" ON "PaymentAttempt"("paymentSessionId");

-- CreateIndex
CREATE INDEX "PaymentAttempt_status_createdAt_idx" ON "PaymentAttempt"("status", "createdAt");

-- CreateIndex
CREATE INDEX "PaymentAttempt_tradeNo_idx" ON "PaymentAttempt"("tradeNo");

-- CreateIndex
CREATE INDEX "EcpayNotification_merchantTradeNo_idx" ON "EcpayNotification"("merchantTradeNo");

-- CreateIndex
CREATE INDEX "EcpayNotification_receivedAt_idx" ON "EcpayNotification"("receivedAt");

-- CreateIndex
CREATE INDEX "OperationSession_paymentSessionId_idx" ON "OperationSession"("paymentSessionId");

-- CreateIndex
CREATE INDEX "OperationSession_status_nextAttemptAt_idx" ON "OperationSession"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "OutboxMessage_status_nextAttemptAt_idx" ON "OutboxMessage"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "OutboxMessage_subjectId_idx" ON "OutboxMessage"("subjectId");

-- CreateIndex
CREATE UNIQUE INDEX "OutboxMessage_mutation_subjectId_key" ON "OutboxMessage"("mutation", "subjectId");

-- CreateIndex
CREATE INDEX "OutboxAttempt_messageId_idx" ON "OutboxAttempt"("messageId");

-- AddForeignKey
ALTER TABLE "ShopInstallation" ADD CONSTRAINT "ShopInstallation_bindingId_fkey" FOREIGN KEY ("bindingId") REFERENCES "EcpayBinding"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PaymentAttempt" ADD CONSTRAINT "PaymentAttempt_paymentSessionId_fkey" FOREIGN KEY ("paymentSessionId") REFERENCES "PaymentSession"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OperationSession" ADD CONSTRAINT "OperationSession_paymentSessionId_fkey" FOREIGN KEY ("paymentSessionId") REFERENCES "PaymentSession"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OutboxAttempt" ADD CONSTRAINT "OutboxAttempt_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "OutboxMessage"("id") ON DELETE CASCADE ON UPDATE CASCADE;
