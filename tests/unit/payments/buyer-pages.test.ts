import { describe, expect, it } from "vitest";
import { html, SafeHtml } from "~/ecpay/html";
import { buyerPagePolicy, heading, htmlPage, link, outsideLink, paragraph } from "~/payments/buyer-pages";
import { outsideUrlProblem } from "~/payments/outside-url";

const PAYLOAD = `<script>alert(1)</script>"'&<img src=x onerror=alert(2)>`;
const ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;&lt;img src=x onerror=alert(2)&gt;";

describe("the html tag", () => {
  it("escapes every interpolated string, number and list item, in text and in attributes", () => {
    const out = String(html`<p title="${PAYLOAD}">${PAYLOAD}${[PAYLOAD, 7]}</p>`);
    expect(out).toBe(`<p title="${ESCAPED}">${ESCAPED}${ESCAPED}7</p>`);
  });

  it("inserts its own output as is and renders null, undefined and false as nothing", () => {
    const inner = html`<b>${PAYLOAD}</b>`;
    expect(String(html`<p>${inner}${null}${undefined}${false}</p>`)).toBe(`<p><b>${ESCAPED}</b></p>`);
  });

  it("escapes exactly & < > \" ' and leaves CJK and other characters untouched", () => {
    expect(String(html`${"茶葉 𠮷 ~!@#$%^*()=+[]{}|\\/?"}`)).toBe("茶葉 𠮷 ~!@#$%^*()=+[]{}|\\/?");
  });

  it("cannot be given markup from outside: an object that only looks like SafeHtml is escaped", () => {
    const fake = { toString: () => "<script>x</script>" } as unknown as SafeHtml;
    expect(String(html`${fake}`)).toBe("&lt;script&gt;x&lt;/script&gt;");
  });

  it("escapes what the page helpers are given", () => {
    expect(String(heading(PAYLOAD))).toBe(`<h1>${ESCAPED}</h1>`);
    expect(String(paragraph(PAYLOAD, "a"))).toBe(`<p id="a">${ESCAPED}</p>`);
    expect(String(link(`/x?a=1&b="2"`, PAYLOAD))).toBe(`<a class="button" href="/x?a=1&amp;b=&quot;2&quot;">${ESCAPED}</a>`);
  });
});

describe("buyer pages", () => {
  it("carry a CSP with one fresh nonce per response on the style, and form-action only where a form posts", async () => {
    const first = htmlPage({ locale: "en", body: html`<p>x</p>`, formAction: "https://payment-stage.ecpay.com.tw/Cashier/AioCheckOut/V5" });
    const second = htmlPage({ locale: "en", body: html`<p>x</p>` });
    const policy = first.headers.get("content-security-policy")!;
    const nonce = /script-src 'nonce-([^']+)'/.exec(policy)?.[1];
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(policy).toBe(buyerPagePolicy(nonce!, "https://payment-stage.ecpay.com.tw/Cashier/AioCheckOut/V5"));
    expect(policy).toContain("form-action https://payment-stage.ecpay.com.tw;");
    expect(await first.text()).toContain(`<style nonce="${nonce}">`);
    expect(second.headers.get("content-security-policy")).toContain("form-action 'none'");
    expect(second.headers.get("content-security-policy")).not.toContain(nonce);
  });

  it("leave out a link to a stored URL that is not https on a DNS host", () => {
    expect(String(outsideLink("javascript:alert(1)", "Back"))).toBe("");
    expect(String(outsideLink("https://shop.example/c", "Back"))).toContain('href="https://shop.example/c"');
  });
});

describe("URLs from Shopify for the buyer", () => {
  it("accept https on any DNS host (a shop's custom domain included) and http on loopback only", () => {
    for (const ok of [
      "https://my-test-shop.com/1/checkouts/4c94d6f5b93f726a82dadfe45cdde432",
      "https://ecpay-demo.myshopify.com/checkouts/cn/abc/processing",
      "http://127.0.0.1:4010/checkouts/cn/abc/processing",
      "http://localhost:3000/x",
      "http://[::1]:3000/x",
    ]) {
      expect(outsideUrlProblem(ok), ok).toBeNull();
    }
  });

  it("refuse other schemes, http elsewhere, credentials, IP literals, bare names and whitespace", () => {
    for (const bad of [
      "javascript:alert(1)",
      "JavaScript:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "http://evil.example/",
      "https://user:pw@shop.example/",
      "https://@shop.example/",
      "https://10.0.0.1/x",
      "https://0x7f.1/x",
      "https://[2001:db8::1]/x",
      "https://intranet/x",
      " https://shop.example/x",
      "https://shop.example/\tx",
      "/relative/path",
      "ftp://shop.example/x",
    ]) {
      expect(outsideUrlProblem(bad), bad).not.toBeNull();
    }
  });
});
