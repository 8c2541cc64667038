// GET /healthz: 200 while the database answers, 503 when it does not; ?shallow=1 never asks it.
import { beforeEach, describe, expect, it, vi } from "vitest";

const queryRaw = vi.fn();
vi.mock("~/db.server", () => ({ default: { $queryRawUnsafe: queryRaw } }));
const { loader } = await import("~/routes/healthz");

const get = (query = "") => loader({ request: new Request(`http://localhost/healthz${query}`) });

describe("the /healthz loader", () => {
  beforeEach(() => {
    queryRaw.mockReset();
  });

  it("answers 200 when the database answers SELECT 1", async () => {
    queryRaw.mockResolvedValue([{ "1": 1 }]);
    const response = await get();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, database: "ok" });
    expect(queryRaw).toHaveBeenCalledWith("SELECT 1");
  });

  it("answers 503 naming the database when the query fails", async () => {
    queryRaw.mockRejectedValue(new Error("connect ECONNREFUSED 127.0.0.1:5432"));
    const response = await get();
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ ok: false, database: "unreachable" });
  });

  it("does not ask the database for ?shallow=1 (liveness)", async () => {
    queryRaw.mockRejectedValue(new Error("down"));
    const response = await get("?shallow=1");
    expect(response.status).toBe(200);
    expect(queryRaw).not.toHaveBeenCalled();
  });
});
