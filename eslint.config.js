import js from "@eslint/js";
import globals from "globals";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

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
              group: ["~/*", "../*", "!~/ecpay", "!~/ecpay/*"],
              message: "app/ecpay imports only its own modules (and plain libraries): no database, no Shopify, no use cases.",
            },
          ],
        },
      ],
    },
  },
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
