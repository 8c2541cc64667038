// CSV export of a date range (manual §7-2 "匯出(Shopify專用)" columns), streamed page by page.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "~/admin/context.server";
import { exportArgs, exportCsvStream, exportFileName } from "~/ops/export.server";
import { deps } from "~/payments/deps.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const ctx = await requireAdmin(request, params.method);
  const url = new URL(request.url);
  const parsed = exportArgs.safeParse({
    shop: ctx.shop,
    method: ctx.method,
    from: url.searchParams.get("from") ?? "",
    to: url.searchParams.get("to") ?? "",
    locale: ctx.locale,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n");
    return new Response(`Invalid export range\n${problems}\n`, { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
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
