-- CreateTable
CREATE TABLE "ShopSettings" (
    "shop" TEXT NOT NULL,
    "locale" TEXT,
    "name" TEXT,
    "nameCheckedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ShopSettings_pkey" PRIMARY KEY ("shop")
);

-- Keep each shop's choice: the language of its most recently changed app admin that had one.
INSERT INTO "ShopSettings" ("shop", "locale", "updatedAt")
SELECT i."shop", i."locale", CURRENT_TIMESTAMP FROM "ShopInstallation" i
WHERE i."locale" IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM "ShopInstallation" j
    WHERE j."shop" = i."shop" AND j."locale" IS NOT NULL
      AND (j."updatedAt" > i."updatedAt" OR (j."updatedAt" = i."updatedAt" AND j."id" > i."id"))
);

-- AlterTable
ALTER TABLE "ShopInstallation" DROP COLUMN "locale";
