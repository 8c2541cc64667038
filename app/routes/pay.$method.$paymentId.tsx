import type { LoaderFunctionArgs } from "@remix-run/node";
import { notImplemented, requireMethodParam } from "~/lib/http.server";

export async function loader({ params }: LoaderFunctionArgs) {
  requireMethodParam(params.method);
  return notImplemented("The buyer hand-off page");
}
