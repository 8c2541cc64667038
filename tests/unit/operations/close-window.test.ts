import { describe, expect, it } from "vitest";
import { doActionPausedUntil } from "~/payments/operations/close-window";

// Taiwan is UTC+8: 20:15 there is 12:15Z.
describe("ECPay's 20:15–20:30 DoAction window", () => {
  it("lets DoAction run right before and from 20:30 Taiwan time", () => {
    expect(doActionPausedUntil(new Date("2026-03-02T12:14:59.999Z"))).toBeNull();
    expect(doActionPausedUntil(new Date("2026-03-02T12:30:00.000Z"))).toBeNull();
    expect(doActionPausedUntil(new Date("2026-03-02T04:00:00.000Z"))).toBeNull();
  });

  it("defers anything inside the window to 20:30 Taiwan time", () => {
    expect(doActionPausedUntil(new Date("2026-03-02T12:15:00.000Z"))).toEqual(new Date("2026-03-02T12:30:00.000Z"));
    expect(doActionPausedUntil(new Date("2026-03-02T12:29:59.500Z"))).toEqual(new Date("2026-03-02T12:30:00.000Z"));
  });
});
