// The "bind ECPay" form: what the merchant typed, validated before anything talks to ECPay.
import { err, ok, type Result } from "neverthrow";
import { z } from "zod";
import type { MessageKey } from "../i18n";
import type { BindingInput } from "../payments/bindings.server";

export const BINDING_FIELDS = [
  "merchantId",
  "hashKey",
  "hashIv",
  "stageMerchantId",
  "stageHashKey",
  "stageHashIv",
  "creditCheckCode",
  "accountName",
] as const;

export type BindingField = (typeof BINDING_FIELDS)[number];
export type FieldErrors<F extends string> = Partial<Record<F, MessageKey>>;

const merchantId = z.string().regex(/^\d{1,10}$/, "admin.bind.error.merchantIdFormat");
// ECPay issues 16-character alphanumeric keys; we accept any alphanumeric length so a typo is
// reported by ECPay's probe (which names the field) rather than guessed at here.
const key = (message: MessageKey) => z.string().regex(/^[A-Za-z0-9]{1,64}$/, message);

export const bindingFormSchema = z
  .object({
    merchantId,
    hashKey: key("admin.bind.error.hashKeyFormat"),
    hashIv: key("admin.bind.error.hashIvFormat"),
    stageMerchantId: merchantId.optional(),
    stageHashKey: key("admin.bind.error.hashKeyFormat").optional(),
    stageHashIv: key("admin.bind.error.hashIvFormat").optional(),
    creditCheckCode: z.string().regex(/^[A-Za-z0-9]{1,20}$/, "admin.bind.error.creditCheckCodeFormat").optional(),
    accountName: z.string().max(50, "admin.bind.error.accountNameLength").optional(),
  })
  .superRefine((value, ctx) => {
    const stage = [value.stageMerchantId, value.stageHashKey, value.stageHashIv];
    const given = stage.filter((v) => v !== undefined).length;
    if (given !== 0 && given !== 3) {
      (["stageMerchantId", "stageHashKey", "stageHashIv"] as const).forEach((field, i) => {
        if (stage[i] === undefined) ctx.addIssue({ code: "custom", path: [field], message: "admin.bind.error.stageTogether" });
      });
    }
  });

export type BindingForm = z.output<typeof bindingFormSchema>;

/** Values to put back in the form after an error: never the secrets. */
export type BindingEcho = Pick<BindingForm, "merchantId" | "stageMerchantId" | "accountName">;

export function parseBindingForm(form: FormData, allowCreditCheckCode: boolean): Result<BindingInput, FieldErrors<BindingField>> {
  const raw: Record<string, string> = {};
  for (const field of BINDING_FIELDS) {
    const value = form.get(field);
    // An empty field is a missing field: required ones then say "required", optional ones vanish.
    if (typeof value === "string" && value.trim() !== "") raw[field] = value.trim();
  }
  if (!allowCreditCheckCode) delete raw.creditCheckCode;
  const parsed = bindingFormSchema.safeParse(raw);
  if (!parsed.success) {
    const errors: FieldErrors<BindingField> = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      if (typeof field === "string" && (BINDING_FIELDS as readonly string[]).includes(field)) {
        errors[field as BindingField] ??= issue.message.startsWith("admin.") ? (issue.message as MessageKey) : "admin.form.required";
      }
    }
    return err(errors);
  }
  return ok(parsed.data);
}
