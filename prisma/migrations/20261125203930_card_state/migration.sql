-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_PaymentAttempt" (
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
    "cardState" TEXT,
    "closePending" BOOLEAN NOT NULL DEFAULT false,
    "closeError" TEXT,
    "lastQueriedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "PaymentAttempt_paymentSessionId_fkey" FOREIGN KEY ("paymentSessionId") REFERENCES "PaymentSession" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_PaymentAttempt" ("amount", "bankCode", "chargeFee", "createdAt", "expireDate", "gwsr", "lastQueriedAt", "merchantId", "merchantTradeNo", "paymentDate", "paymentSessionId", "paymentType", "rtnCode", "rtnMsg", "simulatePaid", "stage", "status", "tradeAmt", "tradeNo", "updatedAt", "vAccount") SELECT "amount", "bankCode", "chargeFee", "createdAt", "expireDate", "gwsr", "lastQueriedAt", "merchantId", "merchantTradeNo", "paymentDate", "paymentSessionId", "paymentType", "rtnCode", "rtnMsg", "simulatePaid", "stage", "status", "tradeAmt", "tradeNo", "updatedAt", "vAccount" FROM "PaymentAttempt";
DROP TABLE "PaymentAttempt";
ALTER TABLE "new_PaymentAttempt" RENAME TO "PaymentAttempt";
CREATE INDEX "PaymentAttempt_paymentSessionId_idx" ON "PaymentAttempt"("paymentSessionId");
CREATE INDEX "PaymentAttempt_status_createdAt_idx" ON "PaymentAttempt"("status", "createdAt");
CREATE INDEX "PaymentAttempt_tradeNo_idx" ON "PaymentAttempt"("tradeNo");
CREATE INDEX "PaymentAttempt_closePending_idx" ON "PaymentAttempt"("closePending");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
