// ECPay echoes CustomField1 in every notification and query, covered by the CheckMacValue; we put
// the Shopify payment id there. ECPay allows only letters, digits and ,.#()$[];%{}:/?&@<>! in
// custom fields, while Shopify ids may contain "_" and "-": those two are written as "(" and ")".
export function paymentIdToCustomField(paymentId: string): string {
  return paymentId.replace(/_/g, "(").replace(/-/g, ")");
}

export function customFieldToPaymentId(field: string): string {
  return field.replace(/\(/g, "_").replace(/\)/g, "-");
}
