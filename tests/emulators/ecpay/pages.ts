// The buyer-facing HTML of the emulator: ECPay's error page, the payment page per method, the ATM
// account page, the result page and the auto-POST form. Plain UTF-8 HTML, zh-TW with English
// subtitles, no JavaScript needed except the auto-submit (which has a visible button fallback).
// Element ids and button labels are stable: Playwright and the sandbox rely on them.
import { escapeHtml } from "./format";
import type { EmulatorOrder } from "./types";

const STYLE = `body{font-family:system-ui,"Noto Sans TC",sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem}small{color:#666}.box{border:1px solid #ccc;border-radius:6px;padding:1rem;margin:1rem 0}
label{display:block;margin:.6rem 0 .2rem}input,select{font-size:1rem;padding:.3rem}button{font-size:1rem;padding:.4rem 1rem;margin:.8rem .5rem 0 0}
.error{color:#b00020}dt{font-weight:bold}dd{margin:0 0 .5rem 0}`;

function shell(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="zh-Hant-TW"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><p><small>綠界科技 ECPay (emulator)</small></p>
${body}
</body></html>`;
}

/** ECPay's error page: HTTP 200, "訊息代碼 Message code：… 訊息說明 Note for message：…". */
export function errorPage(code: string, message: string): string {
  return shell(
    `${code} ${message}`,
    `<h1>交易失敗 <small>Transaction failed</small></h1>
<div class="box" id="ecpay-error">
<p>訊息代碼 Message code：<span id="error-code">${escapeHtml(code)}</span></p>
<p>訊息說明 Note for message：<span id="error-message">${escapeHtml(message)}</span></p>
<p id="error-text">${escapeHtml(`${code} ${message}`)}</p>
</div>`,
  );
}

function summary(order: EmulatorOrder): string {
  const items = (order.request.ItemName ?? "")
    .split("#")
    .map((line) => `<li>${escapeHtml(line)}</li>`)
    .join("");
  return `<div class="box" id="order-summary"><dl>
<dt>特店交易編號 <small>Merchant trade no.</small></dt><dd id="merchant-trade-no">${escapeHtml(order.merchantTradeNo)}</dd>
<dt>綠界交易編號 <small>ECPay trade no.</small></dt><dd id="trade-no">${escapeHtml(order.tradeNo)}</dd>
<dt>金額 <small>Amount</small></dt><dd id="total-amount">NT$ ${order.totalAmount.toLocaleString("en-US")}</dd>
<dt>商品 <small>Items</small></dt><dd><ul id="item-names">${items}</ul></dd>
</dl></div>`;
}

function cancelForm(order: EmulatorOrder): string {
  return `<form method="post" action="/Emulator/Payment/${order.tradeNo}/cancel"><button type="submit" id="cancel">Cancel 取消</button></form>`;
}

function errorLine(error: string | undefined): string {
  return error ? `<p class="error" id="payment-error" role="alert">${escapeHtml(error)}</p>` : "";
}

export interface CardPageOptions {
  error?: string;
  installmentsOffered: string[];
  redeem: boolean;
  /** UnionPay only (UnionPay=1). */
  unionPay: boolean;
  /** The buyer may choose UnionPay instead of a card (UnionPay=0 in production). */
  unionPayChoice: boolean;
  /** 自費分期 on a one-time payment: paying at once is the first choice. */
  oneTimeAllowed: boolean;
  stage: boolean;
}

export function cardPage(order: EmulatorOrder, opts: CardPageOptions): string {
  const title = opts.unionPay ? "銀聯卡付款 <small>UnionPay card</small>" : "信用卡付款 <small>Credit card</small>";
  const periods =
    opts.installmentsOffered.length > 0
      ? `<label for="installment-period">分期期數 <small>Installments</small></label>
<select id="installment-period" name="installmentPeriod">${opts.oneTimeAllowed ? `<option value="">一次付清 (pay at once)</option>` : ""}${opts.installmentsOffered
          .map((p) => `<option value="${escapeHtml(p)}">${escapeHtml(p.replace("N", ""))} 期 (${escapeHtml(p)} installments)</option>`)
          .join("")}</select>`
      : "";
  const cardType = opts.unionPayChoice
    ? `<fieldset id="card-type"><legend>卡別 <small>Card type</small></legend>
<label><input type="radio" name="cardType" value="card" id="card-type-card" checked> 信用卡 <small>Credit card</small></label>
<label><input type="radio" name="cardType" value="unionpay" id="card-type-unionpay"> 銀聯卡 <small>UnionPay</small></label></fieldset>`
    : "";
  const redeem = opts.redeem
    ? `<label><input type="checkbox" id="use-redeem" name="useRedeem" value="Y" checked> 使用紅利折抵 <small>Use bonus points</small></label>`
    : "";
  const hint = opts.stage
    ? `<p id="test-card-hint"><small>測試卡號 Test card: 4311-9522-2222-2222, CVV 222, 任一未來有效期限 any future expiry</small></p>`
    : "";
  return shell(
    "ECPay 信用卡付款",
    `<h1>${title}</h1>${summary(order)}${errorLine(opts.error)}
<form method="post" action="/Emulator/Payment/${order.tradeNo}/pay" id="card-form">
${cardType}<label for="card-number">卡號 <small>Card number</small></label>
<input id="card-number" name="cardNumber" inputmode="numeric" autocomplete="cc-number" required>
<label for="card-expiry">有效期限 <small>Expiry (MM/YY)</small></label>
<input id="card-expiry" name="cardExpiry" placeholder="MM/YY" autocomplete="cc-exp" required>
<label for="card-cvv">安全碼 <small>CVV</small></label>
<input id="card-cvv" name="cardCvv" inputmode="numeric" autocomplete="cc-csc" required>
${periods}${redeem}${hint}
<div><button type="submit" id="pay">Pay 付款</button></div>
</form>${cancelForm(order)}`,
  );
}

const WALLET_TITLES: Record<string, string> = {
  WebATM: "網路ATM <small>WebATM (card reader)</small>",
  TWQR: "歐付寶 TWQR <small>TWQR (OPay)</small>",
  WeiXin: "微信支付 <small>WeChat Pay</small>",
};

export function walletPage(order: EmulatorOrder, error?: string): string {
  return shell(
    "ECPay 付款",
    `<h1>${WALLET_TITLES[order.choosePayment] ?? escapeHtml(order.choosePayment)}</h1>${summary(order)}${errorLine(error)}
<form method="post" action="/Emulator/Payment/${order.tradeNo}/pay"><button type="submit" id="pay">Pay 付款</button></form>
${cancelForm(order)}`,
  );
}

export function atmPage(order: EmulatorOrder, clientBackUrl: string, error?: string): string {
  const atm = order.atm;
  if (!atm) throw new Error("not an ATM order");
  const expired = atm.expired;
  return shell(
    "ECPay ATM 虛擬帳號",
    `<h1>ATM 虛擬帳號 <small>ATM virtual account</small></h1>${summary(order)}${errorLine(error)}
<div class="box" id="atm-account-box"><dl>
<dt>銀行代碼 <small>Bank code</small></dt><dd id="atm-bank-code">${escapeHtml(atm.bankCode)}</dd>
<dt>繳費帳號 <small>Virtual account</small></dt><dd id="atm-account">${escapeHtml(atm.vAccount)}</dd>
<dt>繳費期限 <small>Pay by</small></dt><dd id="atm-expire-date">${escapeHtml(atm.expireDate)}</dd>
<dt>狀態 <small>Status</small></dt><dd id="atm-status">${
      order.status === "paid" ? "已付款 Paid" : expired ? "已逾期 Expired" : "待付款 Awaiting transfer"
    }</dd>
</dl></div>
${
  order.status === "created" && !expired
    ? `<form method="post" action="/Emulator/Payment/${order.tradeNo}/transfer"><button type="submit" id="simulate-transfer">Simulate bank transfer 模擬轉帳</button></form>`
    : ""
}${backLink(clientBackUrl)}`,
  );
}

function backLink(clientBackUrl: string): string {
  return clientBackUrl ? `<p><a id="back-to-shop" href="${escapeHtml(clientBackUrl)}">返回商店 <small>Back to shop</small></a></p>` : "";
}

export function resultPage(order: EmulatorOrder, clientBackUrl: string): string {
  return shell(
    "ECPay 付款結果",
    `<h1 id="result-title">付款成功 <small>Payment succeeded</small></h1>${summary(order)}
<p id="payment-type">${escapeHtml(order.paymentType)}</p>${backLink(clientBackUrl)}`,
  );
}

export function cancelledPage(order: EmulatorOrder, clientBackUrl: string): string {
  return shell(
    "ECPay 交易取消",
    `<h1 id="result-title">交易已取消 <small>Payment cancelled</small></h1>${summary(order)}
<p id="failure-reason">${escapeHtml(order.failureReason ?? "")}</p>${backLink(clientBackUrl)}`,
  );
}

/** Browser auto-POST (OrderResultURL, ClientRedirectURL); the button works without JavaScript. */
export function autoPostPage(action: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join("\n");
  return shell(
    "ECPay 轉導中",
    `<h1>正在返回商店 <small>Returning to the shop</small></h1>
<form method="post" action="${escapeHtml(action)}" id="ecpay-auto-post" accept-charset="UTF-8">
${inputs}
<button type="submit" id="continue">Continue 繼續</button>
</form>
<script>document.getElementById("ecpay-auto-post").submit();</script>`,
  );
}
