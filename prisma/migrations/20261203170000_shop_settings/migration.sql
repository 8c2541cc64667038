-- CreateTable
CREATE TABLE "ShopSettings" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "locale" TEXT,
    "name" TEXT,
    "nameCheckedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- Keep each shop's choice: the language of its most recently changed app admin that had one.
INSERT INTO "ShopSettings" ("shop", "locale", "updatedAt")
SELECT i."shop", i."locale", CURRENT_TIMESTAMP FROM "ShopInstallation" i
WHERE i."locale" IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM "ShopInstallation" j
    WHERE j."shop" = i."shop" AND j."locale" IS NOT NULL
      AND (j."updatedAt" > i."updatedAt" OR (j."updatedAt" = i."updatedAt" AND j."id" > i."id"))
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ShopInstallation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "method" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'INSTALLED',
    "bindingId" TEXT,
    "configuredReady" BOOLEAN NOT NULL DEFAULT false,
    "configuredHandle" TEXT,
    "configureError" TEXT,
    "settings" TEXT NOT NULL DEFAULT '{}',
    "captureReviewedAt" DATETIME,
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" DATETIME,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "ShopInstallation_bindingId_fkey" FOREIGN KEY ("bindingId") REFERENCES "EcpayBinding" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_ShopInstallation" ("bindingId", "captureReviewedAt", "configureError", "configuredHandle", "configuredReady", "id", "installedAt", "method", "settings", "shop", "status", "uninstalledAt", "updatedAt") SELECT "bindingId", "captureReviewedAt", "configureError", "configuredHandle", "configuredReady", "id", "installedAt", "method", "settings", "shop", "status", "uninstalledAt", "updatedAt" FROM "ShopInstallation";
DROP TABLE "ShopInstallation";
ALTER TABLE "new_ShopInstallation" RENAME TO "ShopInstallation";
CREATE INDEX "ShopInstallation_shop_idx" ON "ShopInstallation"("shop");
CREATE UNIQUE INDEX "ShopInstallation_method_shop_key" ON "ShopInstallation"("method", "shop");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

