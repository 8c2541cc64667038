import prisma from "~/db.server";
import { jsonResponse } from "~/lib/http.server";

// 200 when the database answers, 503 otherwise. `?shallow=1` skips the database (the
// benchmark's no-op ceiling and a liveness probe).
export async function loader({ request }: { request: Request }) {
  if (new URL(request.url).searchParams.get("shallow") === "1") return jsonResponse({ ok: true });
  try {
    await prisma.$queryRawUnsafe("SELECT 1");
    return jsonResponse({ ok: true, database: "ok" });
  } catch {
    return jsonResponse({ ok: false, database: "unreachable" }, 503);
  }
}
