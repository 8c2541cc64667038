// The language switch: stored per installation, so the merchant's choice sticks across devices.
import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { saveAdminLocale } from "~/admin/installation.server";
import { requireAdmin } from "~/web/admin-context.server";
import { deps } from "~/deps.server";

const localeForm = z.object({ locale: z.enum(["zh-TW", "en"]) });

export async function action({ request, params }: ActionFunctionArgs) {
  const ctx = await requireAdmin(request, params.method);
  const parsed = localeForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return Response.json({ ok: false }, { status: 400 });
  await saveAdminLocale(deps().db, ctx.method, ctx.shop, parsed.data.locale);
  return Response.json({ ok: true, locale: parsed.data.locale });
}

