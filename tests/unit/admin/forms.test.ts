import { describe, expect, it } from "vitest";
import { parseBindingForm } from "~/admin/binding-form";
import { parseSettingsForm } from "~/admin/settings-form";

function form(fields: Record<string, string | string[]>): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) data.append(key, v);
  return data;
}

const KEYS = { merchantId: "3002607", hashKey: "pwFHCqoQZGmho4w6", hashIv: "EkRm7iFT261dpevs" };

describe("the bind form", () => {
  it("accepts production keys alone, trimmed, and drops empty optional fields", () => {
    const parsed = parseBindingForm(form({ merchantId: " 3002607 ", hashKey: KEYS.hashKey, hashIv: KEYS.hashIv, stageMerchantId: "", accountName: "" }), true);
    expect(parsed._unsafeUnwrap()).toEqual(KEYS);
  });

  it("says which fields are required and which are malformed", () => {
    const errors = parseBindingForm(form({ merchantId: "", hashKey: "has space", hashIv: "" }), true)._unsafeUnwrapErr();
    expect(errors).toEqual({ merchantId: "admin.form.required", hashKey: "admin.bind.error.hashKeyFormat", hashIv: "admin.form.required" });
    expect(parseBindingForm(form({ ...KEYS, merchantId: "30026O7" }), true)._unsafeUnwrapErr()).toEqual({ merchantId: "admin.bind.error.merchantIdFormat" });
  });

  it("wants the stage MerchantID, HashKey and HashIV together", () => {
    const errors = parseBindingForm(form({ ...KEYS, stageMerchantId: "2000132" }), true)._unsafeUnwrapErr();
    expect(errors).toEqual({ stageHashKey: "admin.bind.error.stageTogether", stageHashIv: "admin.bind.error.stageTogether" });
  });

  it("ignores a 商家檢查碼 sent to an app that has no card queries", () => {
    expect(parseBindingForm(form({ ...KEYS, creditCheckCode: "59997889" }), false)._unsafeUnwrap()).toEqual(KEYS);
    expect(parseBindingForm(form({ ...KEYS, creditCheckCode: "59997889" }), true)._unsafeUnwrap()).toEqual({ ...KEYS, creditCheckCode: "59997889" });
  });
});

describe("method settings", () => {
  it("refuses an empty installment choice instead of falling back to the default", () => {
    expect(parseSettingsForm("installments", form({}))._unsafeUnwrapErr()).toEqual({ periods: "admin.settings.error.periodsAtLeastOne" });
  });

  it("refuses periods ECPay does not offer and duplicates", () => {
    expect(parseSettingsForm("installments", form({ periods: ["3", "9"] }))._unsafeUnwrapErr()).toEqual({ periods: "admin.settings.error.periodsInvalid" });
    expect(parseSettingsForm("installments", form({ periods: ["3", "3"] }))._unsafeUnwrapErr()).toEqual({ periods: "admin.settings.error.periodsDuplicate" });
  });

  it("keeps the chosen periods and the item name", () => {
    expect(parseSettingsForm("installments", form({ periods: ["30N", "6"], itemName: " 好物一組 " }))._unsafeUnwrap()).toEqual({ periods: ["30N", "6"], itemName: "好物一組" });
  });

  it("refuses item names with characters ECPay's page cannot show", () => {
    expect(parseSettingsForm("credit", form({ itemName: "A#B" }))._unsafeUnwrapErr()).toEqual({ itemName: "admin.settings.error.itemNameCharacters" });
    expect(parseSettingsForm("credit", form({ itemName: "x".repeat(101) }))._unsafeUnwrapErr()).toEqual({ itemName: "admin.settings.error.itemNameLength" });
  });

  it("allows ATM deadlines of 1 or 2 days only", () => {
    expect(parseSettingsForm("atm", form({ expireDays: "2" }))._unsafeUnwrap()).toEqual({ expireDays: 2 });
    for (const days of ["0", "3", "2.5", "two", ""]) {
      expect(parseSettingsForm("atm", form({ expireDays: days }))._unsafeUnwrapErr(), days).toEqual({ expireDays: "admin.settings.error.expireDays" });
    }
  });

  it("drops fields that do not belong to the method", () => {
    expect(parseSettingsForm("credit", form({ periods: ["3"], expireDays: "2" }))._unsafeUnwrap()).toEqual({});
  });
});
