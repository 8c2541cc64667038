// "Nothing overflows" for Playwright: no horizontal scroll on the page, and no Polaris card (Card,
// LegacyCard, Box) whose content is wider than the card itself (the table cut off at 1280 px in
// issue 16 overflowed its card without scrolling the page).
import { expect, type Page } from "@playwright/test";

/** `soft`: record the failure and go on (a loop over many pages reports every page that overflows). */
export async function expectNoOverflow(page: Page, options: { soft?: boolean } = {}): Promise<void> {
  const problems = await page.evaluate(() => {
    const found: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth) found.push(`the page scrolls sideways: scrollWidth ${root.scrollWidth} > clientWidth ${root.clientWidth}`);
    for (const card of document.querySelectorAll<HTMLElement>(".Polaris-Card, .Polaris-LegacyCard, .Polaris-Box")) {
      // One pixel of sub-pixel rounding is not an overflow.
      if (card.scrollWidth > card.clientWidth + 1) {
        const text = (card.textContent ?? "").replace(/\s+/g, " ").trim().slice(0, 80);
        found.push(`${card.className.split(" ")[0]} (${card.scrollWidth} > ${card.clientWidth}): ${text}`);
      }
    }
    return found;
  });
  (options.soft ? expect.soft : expect)(problems, `${page.url()} at ${page.viewportSize()?.width ?? "?"} px:\n${problems.join("\n")}`).toEqual([]);
}
