// The one HTML renderer of every document the server writes for buyers (issue 12): a tagged
// template that escapes every interpolated value unless it is SafeHtml, which only this module
// makes. htmlPage() accepts only SafeHtml, so an unescaped outside value does not type-check.
// It lives in app/ecpay because the ECPay hand-off form is rendered with it and app/ecpay imports
// nothing outside itself.

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escaping of exactly & < > " ' (ecpay-aio §1.5), safe in text and in quoted attributes: the
 * browser decodes these back, so a posted form value is byte-identical to the signed one. Nothing
 * else is touched (no entities for CJK, as PHP htmlentities once did and broke CheckMacValue).
 */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

let fromTemplate: (markup: string) => SafeHtml;

/** Markup produced by the `html` tag, and only by it: the constructor is private, and the one factory stays in this module. */
export class SafeHtml {
  readonly #markup: string;
  private constructor(markup: string) {
    this.#markup = markup;
  }
  static {
    fromTemplate = (markup) => new SafeHtml(markup);
  }
  toString(): string {
    return this.#markup;
  }
}

/** What may be interpolated: text (escaped), SafeHtml (as is), lists of either; nothing for null/undefined/false. */
export type HtmlValue = SafeHtml | string | number | null | undefined | false | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return "";
  if (value instanceof SafeHtml) return value.toString();
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
}

/** html`<p>${text}</p>`: every value escaped unless it is SafeHtml. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let markup = strings[0] ?? "";
  values.forEach((value, i) => {
    markup += render(value) + (strings[i + 1] ?? "");
  });
  return fromTemplate(markup);
}
