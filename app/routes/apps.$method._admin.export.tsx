// CSV export of a date range (manual §7-2 "匯出(Shopify專用)" columns), streamed page by page.
// The admin's export form goes through the transactions page, which shows a bad range on its
// fields; a bad range sent straight to this URL is a 400 that says what is wrong.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "~/web/admin-context.server";
import { checkDateRange } from "~/admin/date-range";
import { t } from "~/i18n";
import { exportArgs, exportCsvStream, exportFileName } from "~/admin/export.server";
import { deps } from "~/deps.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const ctx = await requireAdmin(request, params.method);
  const url = new URL(request.url);
  const range = { from: url.searchParams.get("from") ?? "", to: url.searchParams.get("to") ?? "" };
  const errors = checkDateRange(range.from, range.to, { required: true });
  const parsed = exportArgs.safeParse({ shop: ctx.shop, method: ctx.method, ...range, locale: ctx.locale });
  if (errors.from || errors.to || !parsed.success) {
    const lines = (["from", "to"] as const).flatMap((field) => {
      const key = errors[field];
      return key ? [`${field}=${range[field]}: ${t(ctx.locale, key)}`] : [];
    });
    return new Response(`${t(ctx.locale, "admin.export.badRange")}\n${lines.join("\n")}\n`, {
      status: 400,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
    });
  }
  const name = exportFileName(parsed.data);
  return new Response(exportCsvStream(deps().db, parsed.data), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}"`,
      "Cache-Control": "no-store",
    },
  });
}
