import { databaseAnswers } from "~/deps.server";
import { jsonResponse } from "~/web/http.server";

// 200 when the database answers, 503 otherwise. `?shallow=1` skips the database (the
// benchmark's no-op ceiling and a liveness probe).
export async function loader({ request }: { request: Request }) {
  if (new URL(request.url).searchParams.get("shallow") === "1") return jsonResponse({ ok: true });
  return (await databaseAnswers()) ? jsonResponse({ ok: true, database: "ok" }) : jsonResponse({ ok: false, database: "unreachable" }, 503);
}
