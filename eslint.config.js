import js from "@eslint/js";
import globals from "globals";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

// An import of app/<part> from anywhere in app/, written "~/<part>…" or "../<part>…" (any depth).
const partRegex = (part) => `^(~/|(\\.\\./)+)${part.replace(/[.]/g, "\\.")}(/|$)`;
const forbid = (part, why, extra = {}) => ({ regex: partRegex(part), message: why, ...extra });
const typesOnly = (part, why) => forbid(part, why, { allowTypeImports: true });

function layer(files, patterns) {
  return { files, rules: { "@typescript-eslint/no-restricted-imports": ["error", { patterns }] } };
}

function layerRules() {
  const top = ["routes", "web", "ops", "deps.server", "sandbox"];
  const above = (parts, who) => parts.map((part) => forbid(part, `${who} sits below app/${part.replace(/\\/g, "")}: import it the other way round.`));
  return [
    layer(["app/lib/**"], above(["payments", "admin", "jobs", "shopify", "ecpay", "db.server", ...top], "app/lib (plain infrastructure)")),
    layer(["app/i18n/**"], above(["payments", "admin", "jobs", "shopify", "ecpay", "lib", "db.server", ...top], "app/i18n (messages)")),
    layer(["app/shopify/**"], [
      ...above(["admin", "jobs", "ecpay", ...top], "app/shopify (the Shopify gateway)"),
      { regex: "^(~/|(\\.\\./)+)payments/(?!methods$)", message: "app/shopify reads only the method registry (app/payments/methods) from the domain." },
    ]),
    layer(["app/payments/**"], [
      ...above(["admin", "jobs", ...top], "app/payments (the domain)"),
      typesOnly("shopify", "The domain talks to Shopify only through its port (Deps.shopify): import the port's types, not the client."),
    ]),
    layer(["app/jobs/**"], [
      ...above(["admin", "routes", "web", "ops", "sandbox"], "app/jobs (background work)"),
      typesOnly("shopify", "Jobs reach Shopify through Deps.shopify: import types only."),
      typesOnly("ecpay", "Jobs reach ECPay through Deps.ecpay and the domain's use cases: import types only."),
    ]),
    layer(["app/admin/**"], [
      ...above(["jobs", "db.server", ...top], "app/admin (the merchant's use cases)"),
      typesOnly("ecpay", "The admin goes through the domain's use cases, never to the ECPay gateway: import types only."),
      typesOnly("shopify/payments-apps-client", "The admin goes through the domain's use cases, never to the Payments Apps client."),
    ]),
    layer(["app/web/**", "app/routes/**"], [
      ...above(["jobs", "db.server", "ops", "sandbox"], "A thin route calls use cases (app/payments, app/admin): it"),
      typesOnly("ecpay", "Routes never talk to ECPay (DESIGN §4): call a use case; import types only."),
      typesOnly("shopify/payments-apps-client", "Routes never talk to Shopify's Payments Apps API (DESIGN §4): call a use case."),
    ]),
  ];
}

export default tseslint.config(
  { ignores: ["build/**", "node_modules/**", "public/build/**", ".cache/**", "test-results/**", "playwright-report/**", ".sandbox/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": ["error", { allow: ["warn", "error", "info"] }],
    },
  },
  // app/ecpay is the ECPay gateway alone (issue 3): no database and no Shopify. Use cases hand it
  // what it needs; anything persistent or Shopify-facing lives in app/payments or app/shopify.
  {
    files: ["app/ecpay/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["@prisma/*", "prisma", "prisma/*"], message: "app/ecpay has no Prisma imports: persistence belongs to the use cases." },
            { group: ["@shopify/*"], message: "app/ecpay has no Shopify imports: it only speaks to ECPay." },
            {
              regex: "^(~/(?!ecpay(/|$))|\\.\\./(?!lib/taiwan-time$))",
              message: "app/ecpay imports only its own modules, plain libraries and Taiwan's clock (app/lib/taiwan-time): no database, no Shopify, no use cases.",
            },
          ],
        },
      ],
    },
  },
  // The layers of DESIGN §4, kept by the linter (issue 14): each part imports only what sits below
  // it. lib is below everything; ecpay and shopify are gateways; payments is the domain (it sees the
  // gateways only through the types of their ports, app/payments/ports.ts); jobs and admin drive
  // the domain; web and routes are the HTTP edge; app/deps.server.ts (the composition root) and ops
  // sit on top. The method registry (app/payments/methods.ts) is a leaf anyone may read.
  ...layerRules(),
  // Buyer pages are rendered only through the escaping `html` tag (app/ecpay/html.ts, issue 12):
  // markup in a plain string or an untagged template is where an outside value gets concatenated
  // in unescaped, so app/payments has none.
  {
    files: ["app/payments/**"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "Literal[value=/<[a-zA-Z!]|<\\x2f[a-zA-Z]/]",
          message: "No HTML in string literals: build pages with the html`` tag (buyer-pages.ts), which escapes what it interpolates.",
        },
        {
          selector:
            "TemplateLiteral:not(TaggedTemplateExpression[tag.name='html'] > TemplateLiteral) > TemplateElement[value.raw=/<[a-zA-Z!]|<\\x2f[a-zA-Z]/]",
          message: "No HTML in untagged template literals: use the html`` tag (buyer-pages.ts), which escapes what it interpolates.",
        },
      ],
    },
  },
);
