import { describe, expect, it } from "vitest";
import { backoffMs } from "~/lib/backoff";

describe("outbox retry backoff", () => {
  it("doubles from the base delay with ±50% jitter", () => {
    expect(backoffMs(1, () => 0.5, 2000)).toBe(2000);
    expect(backoffMs(2, () => 0.5, 2000)).toBe(4000);
    expect(backoffMs(3, () => 0, 2000)).toBe(4000);
    expect(backoffMs(3, () => 0.999, 2000)).toBeLessThan(12000);
  });

  it("never waits more than an hour and a half between tries", () => {
    expect(backoffMs(40, () => 0.999, 2000)).toBeLessThanOrEqual(5_400_000);
  });
});
