import { defineMessages } from "./define";

// The shop-wide console: the list across the shop's apps (app column and filter, counts, empty
// states, pending ATM accounts), the mobile navigation and the note on a binding the apps share.
export const adminConsoleMessages = defineMessages({
  "zh-TW": {
    "admin.console.app": "應用程式",
    "admin.console.appFilter": "應用程式",
    "admin.console.appFilterHelp": "未勾選時列出本商店所有綠界應用程式的交易",
    "admin.console.count": "共 {n} 筆",
    "admin.console.countMore": "超過 {n} 筆",
    "admin.console.emptyTitle": "尚無交易",
    "admin.console.emptyBody": "買家以本商店任一綠界應用程式付款後，交易會出現在這裡。",
    "admin.console.noResultsBody": "請調整或清除篩選條件與搜尋。",
    "admin.console.atmAccount": "轉帳帳號 {bank}-{account}",
    "admin.console.atmDeadline": "繳費期限 {deadline}",
    "admin.console.otherApp": "這筆交易由「{app}」收款；查詢綠界與重送 Shopify 都以該應用程式進行。",
    "admin.console.usesAccount": "此應用程式使用綠界商店代號 {merchantId}。",
    "admin.console.ownBinding": "本商店其他應用程式未共用此帳號。",
    "admin.console.brand": "綠界科技",
    "admin.console.virtualAccount": "ATM 虛擬帳號",
  },
  en: {
    "admin.console.app": "App",
    "admin.console.appFilter": "Apps",
    "admin.console.appFilterHelp": "None ticked: payments of every ECPay app of this store",
    "admin.console.count": "{n} payments",
    "admin.console.countMore": "More than {n} payments",
    "admin.console.emptyTitle": "No payments yet",
    "admin.console.emptyBody": "Payments buyers make with any of this store's ECPay apps appear here.",
    "admin.console.noResultsBody": "Change or clear the filters and the search.",
    "admin.console.atmAccount": "Transfer to {bank}-{account}",
    "admin.console.atmDeadline": "Pay by {deadline}",
    "admin.console.otherApp": "This payment was taken by {app}; querying ECPay and retrying Shopify act through that app.",
    "admin.console.usesAccount": "This app uses ECPay MerchantID {merchantId}.",
    "admin.console.ownBinding": "No other app of this store shares it.",
    "admin.console.brand": "ECPay",
    "admin.console.virtualAccount": "ATM virtual account",
  },
});
