import type { ActionFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, notImplemented, requireMethodParam } from "~/lib/http.server";

export async function action({ params }: ActionFunctionArgs) {
  requireMethodParam(params.method);
  return notImplemented("capture sessions");
}

export function loader() {
  return methodNotAllowed("POST");
}
