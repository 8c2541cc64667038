// The language switch: stored per shop, so the choice sticks across devices and every one of the
// shop's app admins speaks it.
import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { saveShopLocale } from "~/admin/shop-settings.server";
import { requireAdmin } from "~/web/admin-context.server";
import { deps } from "~/deps.server";

const localeForm = z.object({ locale: z.enum(["zh-TW", "en"]) });

export async function action({ request, params }: ActionFunctionArgs) {
  const ctx = await requireAdmin(request, params.method);
  const parsed = localeForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return Response.json({ ok: false }, { status: 400 });
  await saveShopLocale(deps().db, ctx.shop, parsed.data.locale);
  return Response.json({ ok: true, locale: parsed.data.locale });
}

