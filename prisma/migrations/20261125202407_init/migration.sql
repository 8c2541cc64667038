-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "isOnline" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" DATETIME,
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
    "refreshTokenExpires" DATETIME
);

-- CreateTable
CREATE TABLE "ShopInstallation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "method" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'INSTALLED',
    "bindingId" TEXT,
    "configuredReady" BOOLEAN NOT NULL DEFAULT false,
    "configuredHandle" TEXT,
    "configureError" TEXT,
    "settings" TEXT NOT NULL DEFAULT '{}',
    "locale" TEXT,
    "captureReviewedAt" DATETIME,
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" DATETIME,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "ShopInstallation_bindingId_fkey" FOREIGN KEY ("bindingId") REFERENCES "EcpayBinding" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "EcpayBinding" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "merchantId" TEXT NOT NULL,
    "hashKeyEnc" TEXT NOT NULL,
    "hashIvEnc" TEXT NOT NULL,
    "stageMerchantId" TEXT,
    "stageHashKeyEnc" TEXT,
    "stageHashIvEnc" TEXT,
    "creditCheckCodeEnc" TEXT,
    "accountName" TEXT,
    "verifiedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "PaymentSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "gid" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "group" TEXT NOT NULL,
    "amount" INTEGER,
    "amountRaw" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "test" BOOLEAN NOT NULL,
    "cancelUrl" TEXT NOT NULL,
    "merchantLocale" TEXT,
    "customer" TEXT,
    "customerEmail" TEXT,
    "proposedAt" DATETIME NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'RECEIVED',
    "capturedAmount" INTEGER NOT NULL DEFAULT 0,
    "refundedAmount" INTEGER NOT NULL DEFAULT 0,
    "authorizationExpiresAt" DATETIME,
    "pendingExpiresAt" DATETIME,
    "nextActionUrl" TEXT,
    "rejectCode" TEXT,
    "merchantMessage" TEXT,
    "flag" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "PaymentAttempt" (
    "merchantTradeNo" TEXT NOT NULL PRIMARY KEY,
    "paymentSessionId" TEXT NOT NULL,
    "merchantId" TEXT NOT NULL,
    "stage" BOOLEAN NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'CREATED',
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
    "lastQueriedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "PaymentAttempt_paymentSessionId_fkey" FOREIGN KEY ("paymentSessionId") REFERENCES "PaymentSession" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "EcpayNotification" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "channel" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "merchantTradeNo" TEXT,
    "rawBody" TEXT NOT NULL,
    "signatureValid" BOOLEAN NOT NULL,
    "outcome" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "OperationSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "gid" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "paymentSessionId" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "amount" INTEGER,
    "amountRaw" TEXT,
    "currency" TEXT,
    "test" BOOLEAN NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'RECEIVED',
    "simulated" BOOLEAN NOT NULL DEFAULT false,
    "ecpayLog" TEXT,
    "rejectCode" TEXT,
    "merchantMessage" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" DATETIME,
    "proposedAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "OperationSession_paymentSessionId_fkey" FOREIGN KEY ("paymentSessionId") REFERENCES "PaymentSession" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "OutboxMessage" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "mutation" TEXT NOT NULL,
    "subjectId" TEXT NOT NULL,
    "variables" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedBy" TEXT,
    "lockedUntil" DATETIME,
    "lastError" TEXT,
    "response" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" DATETIME
);

-- CreateTable
CREATE TABLE "OutboxAttempt" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "messageId" TEXT NOT NULL,
    "ok" BOOLEAN NOT NULL,
    "httpStatus" INTEGER,
    "error" TEXT,
    "response" TEXT,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "OutboxAttempt_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "OutboxMessage" ("id") ON DELETE CASCADE ON UPDATE CASCADE
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
