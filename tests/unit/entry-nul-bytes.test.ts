// React 18's streaming renderer leaves NUL bytes where a multi-byte character crosses a chunk
// (react/react#31134); the server's body stream drops them and nothing else.
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { describe, expect, it } from "vitest";
import { withoutNulBytes } from "~/entry.server";

describe("the admin's HTML stream", () => {
  it("drops the NUL bytes React leaves at a chunk's end and keeps every character whole", async () => {
    const page = Buffer.from("<p>綠界科技 - 信用卡</p>", "utf8");
    const split = 7; // "<p>" and 綠 are bytes 0-5: byte 6 starts 界, so the chunk ends inside it
    const chunks = [Buffer.concat([page.subarray(0, split), Buffer.alloc(3)]), page.subarray(split)];
    const out = await text(Readable.from(chunks).pipe(withoutNulBytes()));
    expect(out).toBe("<p>綠界科技 - 信用卡</p>");
  });

  it("passes a chunk without NUL bytes through unchanged", async () => {
    const out = await text(Readable.from([Buffer.from("<html>ok</html>")]).pipe(withoutNulBytes()));
    expect(out).toBe("<html>ok</html>");
  });
});
