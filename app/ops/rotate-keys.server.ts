// `npm run ops -- rotate-keys`: re-seal every stored secret (ECPay HashKey/HashIV/check code of
// each binding, Shopify access and refresh tokens) as v2 under the current ENCRYPTION_KEY, bound to
// its row and field: v1 values and values under an ENCRYPTION_KEY_PREVIOUS key. Run it after moving
// the old key to ENCRYPTION_KEY_PREVIOUS; once it reports nothing left, drop the old key.
import type { PrismaClient } from "@prisma/client";
import type { SecretBox, SecretContext } from "../lib/secrets.server";
import { BINDING_SECRET_COLUMNS, bindingSecretContext, type BindingSecretColumn } from "../payments/bindings.server";
import { sessionTokenContext } from "../shopify/session-storage.server";

export interface RotateReport {
  bindings: number;
  /** Binding fields re-sealed with the current key. */
  bindingFields: number;
  sessions: number;
  /** Tokens re-sealed, or sealed for the first time (rows from before tokens were sealed). */
  tokens: number;
  /** Values that could not be opened (sealed with a key that is not configured). */
  failures: string[];
}

const BINDING_COLUMNS = Object.keys(BINDING_SECRET_COLUMNS) as BindingSecretColumn[];

export async function rotateKeys(db: PrismaClient, box: SecretBox): Promise<RotateReport> {
  const report: RotateReport = { bindings: 0, bindingFields: 0, sessions: 0, tokens: 0, failures: [] };
  const reseal = (value: string, context: SecretContext, where: string): string | null => {
    try {
      return box.seal(box.open(value, context), context);
    } catch (error) {
      report.failures.push(`${where}: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  };

  for (const binding of await db.ecpayBinding.findMany()) {
    report.bindings += 1;
    const data: Partial<Record<BindingSecretColumn, string>> = {};
    for (const field of BINDING_COLUMNS) {
      const value = binding[field];
      if (!value || !box.needsRotation(value)) continue;
      const sealed = reseal(value, bindingSecretContext(binding, field), `binding ${binding.id} ${field}`);
      if (sealed) data[field] = sealed;
    }
    if (Object.keys(data).length > 0) {
      await db.ecpayBinding.update({ where: { id: binding.id }, data });
      report.bindingFields += Object.keys(data).length;
    }
  }

  for (const session of await db.session.findMany({ select: { id: true, accessToken: true, refreshToken: true } })) {
    report.sessions += 1;
    const data: { accessToken?: string; refreshToken?: string } = {};
    for (const field of ["accessToken", "refreshToken"] as const) {
      const value = session[field];
      if (!value) continue;
      const context = sessionTokenContext(session.id, field);
      if (!box.isSealed(value)) data[field] = box.seal(value, context);
      else if (box.needsRotation(value)) {
        const sealed = reseal(value, context, `session ${session.id} ${field}`);
        if (sealed) data[field] = sealed;
      }
    }
    if (Object.keys(data).length > 0) {
      await db.session.update({ where: { id: session.id }, data });
      report.tokens += Object.keys(data).length;
    }
  }
  return report;
}
