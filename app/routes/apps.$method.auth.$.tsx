// OAuth for each app under /apps/<method>/auth/* (begin, callback), handled by the library.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireApp } from "~/shopify/apps.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { app } = requireApp(params.method);
  await app.authenticate.admin(request);
  return null;
}
