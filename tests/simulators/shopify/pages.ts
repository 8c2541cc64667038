// Server-rendered pages of the simulated store (zh-TW with English): storefront, checkout,
// order status, the merchant's orders and settings. Ids and data-testids are stable for Playwright.
import { PAYMENT_METHODS, type MethodHandle } from "../../../app/payments/methods";
import {
  displayAmount,
  type Checkout,
  type FinancialSessionRecord,
  type OrderView,
  type PaymentSessionRecord,
  type SimulatedShop,
} from "./state";

export function escapeHtml(value: unknown): string {
  return String(value ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const STYLE = `
body{font-family:-apple-system,"Noto Sans TC","PingFang TC",sans-serif;margin:0;background:#f6f6f7;color:#202223}
header{background:#1a1a1a;color:#fff;padding:12px 24px;display:flex;gap:24px;align-items:center}
header a{color:#fff;text-decoration:none}
main{max-width:960px;margin:24px auto;padding:0 16px}
.card{background:#fff;border-radius:8px;box-shadow:0 1px 2px rgba(0,0,0,.15);padding:16px 20px;margin-bottom:16px}
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:8px;border-bottom:1px solid #e1e3e5}
.badge{display:inline-block;border-radius:10px;padding:2px 10px;font-size:13px;background:#e4e5e7}
.badge.paid,.badge.RESOLVED,.badge.resolved{background:#aee9d1}.badge.pending,.badge.authorized,.badge.awaiting,.badge.delivering{background:#ffea8a}
.badge.failed,.badge.expired,.badge.rejected,.badge.REJECTED,.badge.delivery-failed{background:#fed3d1}.badge.refunded,.badge.voided,.badge.partially_refunded{background:#e4e5e7}
.notice{border-left:4px solid #d72c0d;background:#fff4f4;padding:12px;margin-bottom:16px}
.info{border-left:4px solid #2c6ecb;background:#f2f7fe;padding:12px;margin-bottom:16px}
button{background:#008060;color:#fff;border:0;border-radius:6px;padding:10px 18px;font-size:15px;cursor:pointer}
button.secondary{background:#fff;color:#202223;border:1px solid #8c9196}button.danger{background:#d72c0d}
label.method{display:block;border:1px solid #c9cccf;border-radius:6px;padding:12px;margin-bottom:8px;cursor:pointer}
form.inline{display:inline-flex;gap:8px;align-items:center;margin:4px 12px 4px 0}
.muted{color:#6d7175;font-size:13px}`;

export function layout(title: string, body: string, options: { shop?: string; refreshSeconds?: number } = {}): string {
  const nav = options.shop
    ? `<a href="/store/${encodeURIComponent(options.shop)}">商店 Store</a>
       <a href="/admin/${encodeURIComponent(options.shop)}/orders" id="nav-orders">訂單 Orders</a>
       <a href="/admin/${encodeURIComponent(options.shop)}/settings" id="nav-settings">設定 Settings</a>`
    : "";
  return `<!doctype html><html lang="zh-TW"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
${options.refreshSeconds ? `<meta http-equiv="refresh" content="${options.refreshSeconds}">` : ""}
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><header><strong>Shopify 模擬器 Simulator</strong>${options.shop ? `<span class="muted">${escapeHtml(options.shop)}</span>` : ""}${nav}</header>
<main>${body}</main></body></html>`;
}

function money(minor: number, currency: string): string {
  return `${currency === "TWD" ? "NT$" : `${currency} `}${displayAmount(minor)}`;
}

function methodLabel(method: MethodHandle): string {
  const label = PAYMENT_METHODS[method].buyerLabel;
  return `${label["zh-TW"]} · ${label.en}`;
}

export function indexPage(shops: SimulatedShop[]): string {
  const rows = shops
    .map(
      (shop) => `<tr><td>${escapeHtml(shop.domain)}</td>
<td><a href="/store/${encodeURIComponent(shop.domain)}">商店 Store</a></td>
<td><a href="/admin/${encodeURIComponent(shop.domain)}/orders">後台 Admin</a></td></tr>`,
    )
    .join("");
  return layout("Shopify Simulator", `<div class="card"><h1>商店 Shops</h1><table><tbody>${rows || `<tr><td>尚無商店 No shops yet</td></tr>`}</tbody></table></div>`);
}

export function storefrontPage(shop: SimulatedShop, lines: Checkout["lines"]): string {
  const total = lines.reduce((sum, l) => sum + l.unitPrice * l.quantity, 0);
  const rows = lines
    .map((l) => `<tr><td>${escapeHtml(l.title)}</td><td>× ${l.quantity}</td><td>${money(l.unitPrice * l.quantity, "TWD")}</td></tr>`)
    .join("");
  return layout(
    "購物車 Cart",
    `<div class="card"><h1>購物車 Cart</h1><table><tbody>${rows}</tbody>
<tfoot><tr><th colspan="2">小計 Subtotal</th><th data-testid="cart-total">${money(total, "TWD")}</th></tr></tfoot></table>
<form method="post" action="/store/${encodeURIComponent(shop.domain)}/checkouts" style="margin-top:16px">
<label>金額 Amount (TWD, 選填 optional) <input name="amount" id="custom-amount" inputmode="numeric" size="8"></label>
<button type="submit" id="go-to-checkout">前往結帳 Check out</button></form></div>`,
    { shop: shop.domain },
  );
}

function attemptNotice(checkout: Checkout, attempt: PaymentSessionRecord | undefined, query: URLSearchParams): string {
  if (checkout.notice) return `<div class="notice" role="alert" id="checkout-notice">${escapeHtml(checkout.notice)}</div>`;
  if (query.has("payment_failed") || attempt?.state.code === "REJECTED") {
    return `<div class="notice" role="alert" id="checkout-notice">付款未成功，請重試或選擇其他付款方式。Your payment couldn't be processed. Try again or use a different payment method.</div>`;
  }
  if (query.has("cancelled")) {
    return `<div class="info" role="status" id="checkout-notice">您已取消付款，可選擇其他付款方式。You left the payment page; choose a payment method to try again.</div>`;
  }
  return "";
}

export function checkoutPage(
  shop: SimulatedShop,
  checkout: Checkout,
  methods: MethodHandle[],
  latestAttempt: PaymentSessionRecord | undefined,
  query: URLSearchParams,
): string {
  const lines = checkout.lines
    .map((l) => `<tr><td>${escapeHtml(l.title)}</td><td>× ${l.quantity}</td><td>${money(l.unitPrice * l.quantity, checkout.currency)}</td></tr>`)
    .join("");
  const options = methods
    .map(
      (m, i) => `<label class="method" for="method-${m}"><input type="radio" name="method" value="${m}" id="method-${m}" ${
        (latestAttempt ? latestAttempt.method === m : i === 0) ? "checked" : ""
      }> ${escapeHtml(methodLabel(m))}</label>`,
    )
    .join("");
  const address = checkout.customer.shipping_address;
  return layout(
    "結帳 Checkout",
    `${attemptNotice(checkout, latestAttempt, query)}
<div class="card"><h2>聯絡資訊 Contact</h2><p>${escapeHtml(checkout.customer.email)} · ${escapeHtml(checkout.customer.phone_number)}</p>
<h2>運送地址 Shipping address</h2><p>${escapeHtml(`${address.postal_code} ${address.city}${address.line1}${address.line2} ${address.family_name}${address.given_name}`)}</p></div>
<div class="card"><h2>訂單摘要 Order summary</h2><table><tbody>${lines}</tbody>
<tfoot><tr><th colspan="2">總計 Total</th><th data-testid="checkout-total" data-amount="${checkout.total / 100}">${money(checkout.total, checkout.currency)}</th></tr></tfoot></table></div>
<form class="card" method="post" action="/checkouts/cn/${checkout.token}/pay">
<h2>付款 Payment</h2><p class="muted">所有交易都經過加密 All transactions are secure and encrypted.</p>
<fieldset id="payment-methods" style="border:0;padding:0">${options || "<p>此商店尚未安裝付款方式 No payment methods installed</p>"}</fieldset>
<button type="submit" id="pay-now">馬上付款 Pay now</button></form>`,
  );
}

function statusBadge(view: OrderView): string {
  return `<span class="badge ${view.financialStatus}" data-testid="financial-status" data-status="${view.financialStatus}">${escapeHtml(view.financialStatusLabel)}</span>${
    view.cancelled ? ` <span class="badge" data-testid="cancelled-badge">已取消 Cancelled</span>` : ""
  }`;
}

export function thankYouPage(checkout: Checkout, view: OrderView | null): string {
  if (!view) {
    return layout(
      "處理中 Processing",
      `<div class="card"><h1 id="order-status-heading">正在處理您的付款 Processing your payment</h1><p>請稍候 Please wait…</p></div>`,
      { refreshSeconds: 2 },
    );
  }
  const heading =
    view.financialStatus === "pending"
      ? "訂單已成立，付款待處理 Your order is confirmed; payment is pending"
      : "感謝您的訂購！Thank you for your purchase!";
  return layout(
    `訂單 ${view.name}`,
    `<div class="card"><p class="muted" data-testid="order-id" data-order-id="${escapeHtml(view.id)}">訂單 Order <span data-testid="order-name">${escapeHtml(view.name)}</span></p>
<h1 id="order-status-heading">${escapeHtml(heading)}</h1>
<p>付款方式 Payment: ${escapeHtml(methodLabel(view.method))}</p>
<p>金額 Amount: <span data-testid="order-total">${money(view.total, view.currency)}</span></p>
<p>付款狀態 Payment status: ${statusBadge(view)}</p>
<p class="muted">${escapeHtml(checkout.customer.email)}</p></div>`,
  );
}

export function ordersPage(shop: SimulatedShop, views: OrderView[]): string {
  const rows = views
    .map(
      (v) => `<tr data-testid="order-row-${v.id}" data-order-name="${escapeHtml(v.name)}">
<td><a href="/admin/${encodeURIComponent(shop.domain)}/orders/${v.id}">${escapeHtml(v.name)}</a>${v.test ? ` <span class="badge">測試 Test</span>` : ""}</td>
<td>${escapeHtml(v.createdAt.slice(0, 16).replace("T", " "))}</td><td>${escapeHtml(PAYMENT_METHODS[v.method].merchantLabel)}</td>
<td>${money(v.total, v.currency)}</td><td>${statusBadge(v)}</td></tr>`,
    )
    .join("");
  return layout(
    "訂單 Orders",
    `<div class="card"><h1>訂單 Orders</h1><table id="orders-table"><thead><tr><th>訂單 Order</th><th>日期 Date</th><th>付款方式 Method</th><th>總計 Total</th><th>付款狀態 Payment status</th></tr></thead>
<tbody>${rows || `<tr><td colspan="5">尚無訂單 No orders yet</td></tr>`}</tbody></table></div>`,
    { shop: shop.domain },
  );
}

const SESSION_LABEL: Record<FinancialSessionRecord["kind"], string> = { refund: "退款 Refund", capture: "請款 Capture", void: "作廢 Void" };
const SESSION_STATUS_LABEL: Record<FinancialSessionRecord["status"], string> = {
  delivering: "傳送中 Sending",
  awaiting: "處理中 Processing",
  "delivery-failed": "傳送失敗，請重試 Could not reach the app; try again",
  resolved: "成功 Succeeded",
  rejected: "失敗 Failed",
};

function transactionRows(payment: PaymentSessionRecord, view: OrderView): string {
  const paymentRow = `<tr data-testid="transaction-payment" data-state="${payment.state.code}">
<td>${payment.kind === "authorization" ? "授權 Authorization" : "銷售 Sale"}</td><td>${money(payment.amount, payment.currency)}</td>
<td><span class="badge ${payment.state.code}">${escapeHtml(payment.state.code)}</span>${
    payment.state.merchantMessage ? ` <span data-testid="merchant-message">${escapeHtml(payment.state.merchantMessage)}</span>` : ""
  }${payment.authorizationExpiresAt ? ` <span class="muted">授權到期 expires ${escapeHtml(payment.authorizationExpiresAt)}</span>` : ""}${
    payment.pendingExpiresAt && payment.state.code === "PENDING" ? ` <span class="muted">付款期限 due ${escapeHtml(payment.pendingExpiresAt)}</span>` : ""
  }</td><td class="muted">${escapeHtml(payment.id)}</td></tr>`;
  const rows = view.financialSessions
    .map(
      (s) => `<tr data-testid="transaction-${s.kind}" data-session-id="${s.id}" data-state="${s.status}">
<td>${SESSION_LABEL[s.kind]}</td><td>${s.amount === null ? "—" : money(s.amount, s.currency)}</td>
<td><span class="badge ${s.status}">${escapeHtml(SESSION_STATUS_LABEL[s.status])}</span>${
        s.reject?.merchantMessage ? ` <span data-testid="merchant-message">${escapeHtml(s.reject.merchantMessage)}</span>` : ""
      }${s.reject && !s.reject.merchantMessage ? ` <span class="muted">${escapeHtml(s.reject.code)}</span>` : ""}</td><td class="muted">${escapeHtml(s.id)}</td></tr>`,
    )
    .join("");
  return paymentRow + rows;
}

export function orderPage(
  shop: SimulatedShop,
  view: OrderView,
  payment: PaymentSessionRecord,
  notice: string | null,
  tools: { id: string; label: string }[] = [],
): string {
  const base = `/admin/${encodeURIComponent(shop.domain)}/orders/${view.id}`;
  const awaiting = view.financialSessions.some((s) => s.status === "awaiting" || s.status === "delivering");
  const actions: string[] = [];
  if (!view.cancelled && view.capturable > 0) {
    actions.push(`<form class="inline" method="post" action="${base}/capture">
<label>請款金額 Capture amount <input name="amount" id="capture-amount" value="${view.capturable / 100}" size="8"></label>
<button type="submit" id="capture-button">請款 Capture</button></form>`);
    actions.push(`<form class="inline" method="post" action="${base}/void"><button type="submit" class="secondary" id="void-button">作廢授權 Void</button></form>`);
  }
  if (!view.cancelled && view.refundable > 0) {
    actions.push(`<form class="inline" method="post" action="${base}/refund">
<label>退款金額 Refund amount <input name="amount" id="refund-amount" value="${view.refundable / 100}" size="8"></label>
<button type="submit" class="secondary" id="refund-button">退款 Refund</button></form>`);
  }
  if (!view.cancelled && view.paymentState !== "REJECTED") {
    actions.push(`<form class="inline" method="post" action="${base}/cancel"><button type="submit" class="danger" id="cancel-order-button">取消訂單並退款 Cancel order and refund</button></form>`);
  }
  for (const tool of tools) {
    actions.push(`<form class="inline" method="post" action="${base}/tools/${escapeHtml(tool.id)}"><button type="submit" class="secondary" id="tool-${escapeHtml(tool.id)}">${escapeHtml(tool.label)}</button></form>`);
  }
  return layout(
    `訂單 ${view.name}`,
    `${notice ? `<div class="info" role="status" id="admin-notice">${escapeHtml(notice)}</div>` : ""}
<div class="card"><h1>訂單 <span data-testid="order-name">${escapeHtml(view.name)}</span> ${statusBadge(view)}</h1>
<p>付款方式 Method: ${escapeHtml(PAYMENT_METHODS[view.method].merchantLabel)}${view.test ? " (測試模式 test mode)" : ""}</p>
<p>總計 Total: <span data-testid="order-total">${money(view.total, view.currency)}</span> ·
已請款 Captured: <span data-testid="order-captured">${money(view.captured, view.currency)}</span> ·
已退款 Refunded: <span data-testid="order-refunded">${money(view.refunded, view.currency)}</span></p>
<div id="order-actions">${actions.join("")}</div></div>
<div class="card"><h2>交易 Transactions</h2><table id="transactions"><thead><tr><th>類型 Kind</th><th>金額 Amount</th><th>結果 Result</th><th>ID</th></tr></thead>
<tbody>${transactionRows(payment, view)}</tbody></table></div>`,
    { shop: shop.domain, refreshSeconds: awaiting ? 2 : undefined },
  );
}

export function settingsPage(shop: SimulatedShop, methods: MethodHandle[], saved: boolean, appAdminLinks = false): string {
  const apps = methods
    .map((m) => {
      const config = shop.configurations[m];
      return `<tr data-testid="app-${m}"><td>${escapeHtml(PAYMENT_METHODS[m].merchantLabel)}</td>
<td>${config ? escapeHtml(config.externalHandle ?? "—") : "—"}</td>
<td data-testid="app-ready-${m}" data-ready="${config?.ready ? "true" : "false"}">${config?.ready ? "可接受付款 Ready" : "尚未完成設定 Not ready"}</td>
<td>${PAYMENT_METHODS[m].kinds.includes("authorization") ? "可授權 Supports authorization" : "僅銷售 Sale only"}</td>${
        appAdminLinks
          ? `<td><a href="/admin/${encodeURIComponent(shop.domain)}/apps/${m}" id="manage-${m}">管理 Manage</a></td>`
          : ""
      }</tr>`;
    })
    .join("");
  const manual = shop.settings.captureMode === "manual";
  return layout(
    "設定 Settings",
    `${saved ? `<div class="info" role="status" id="settings-saved">已儲存 Saved</div>` : ""}
<form class="card" method="post" action="/admin/${encodeURIComponent(shop.domain)}/settings">
<h1>付款擷取 Payment capture</h1>
<label><input type="radio" name="captureMode" value="automatic" id="capture-automatic" ${manual ? "" : "checked"}> 結帳時自動請款 Automatically at checkout</label><br>
<label><input type="radio" name="captureMode" value="manual" id="capture-manual" ${manual ? "checked" : ""}> 手動請款 Manually (kind=authorization)</label>
<h2>測試模式 Test mode</h2>
<label><input type="checkbox" name="test" value="true" id="test-mode" ${shop.settings.test ? "checked" : ""}> 啟用測試模式 Enable test mode</label>
<p><button type="submit" id="save-settings">儲存 Save</button></p></form>
<div class="card"><h2>付款服務供應商 Payment providers</h2><table><thead><tr><th>App</th><th>帳號 Account</th><th>狀態 Status</th><th></th>${appAdminLinks ? "<th></th>" : ""}</tr></thead><tbody>${apps}</tbody></table></div>`,
    { shop: shop.domain },
  );
}

export function errorPage(status: number, message: string): string {
  return layout(`${status}`, `<div class="card"><h1>${status}</h1><p role="alert">${escapeHtml(message)}</p></div>`);
}

