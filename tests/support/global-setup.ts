// Vitest global setup for the integration project: one migrated template database per run.
import type { TestProject } from "vitest/node";
import { createTemplateDatabase, dropTemplateDatabase } from "./database";

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const url = await createTemplateDatabase();
  project.provide("templateDatabaseUrl", url);
  return async () => dropTemplateDatabase(url);
}
