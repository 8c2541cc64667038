// The shop's one reconciliation CSV (manual §7-2 "匯出(Shopify專用)" columns plus the money as it
// moved), for a Taiwan-day range and the chosen apps (?method=credit&method=atm; none: every app
// the shop installed), streamed page by page. The admin's export form goes through the
// transactions page, which shows a bad range on its fields; a bad request sent straight to this
// URL is a 400 that says what is wrong.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "~/web/admin-context.server";
import { t } from "~/i18n";
import { exportCsvStream, prepareShopExport } from "~/admin/export.server";
import { deps } from "~/deps.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const ctx = await requireAdmin(request, params.method);
  const url = new URL(request.url);
  const prepared = await prepareShopExport(deps(), {
    shop: ctx.shop,
    locale: ctx.locale,
    methods: url.searchParams.getAll("method"),
    from: url.searchParams.get("from") ?? "",
    to: url.searchParams.get("to") ?? "",
  });
  if (prepared.isErr()) {
    return new Response(`${t(ctx.locale, "admin.export.badRange")}\n${prepared.error.join("\n")}\n`, {
      status: 400,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
    });
  }
  const { args, fileName } = prepared.value;
  return new Response(exportCsvStream(deps().db, args), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${fileName}"`,
      "Cache-Control": "no-store",
    },
  });
}
