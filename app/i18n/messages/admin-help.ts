import { defineMessages } from "./define";

// The admin's help page: what ECPay's operation manual shows merchants that this app does not do
// itself (fees, Shopify's settings, logistics and e-invoices, ECPay's own exports, cancelling).
export const adminHelpMessages = defineMessages({
  "zh-TW": {
    "admin.help.cancelled": "已取消",
    "admin.help.status.cancelled":
      "已取消：取消「已付款」的訂單後，訂單編號、日期出現刪除線，訂單內頁顯示已取消（手冊 6-2）。付款狀態另依退款顯示（選「退款」為已退款，選「稍後退款」則維持已付款）。歐付寶TWQR／微信支付請至歐付寶廠商後台操作取消訂單。",
    "admin.help.cancelPendingTitle": "取消「付款待處理」的 ATM 訂單",
    "admin.help.cancelPending":
      "在 Shopify 進入訂單內頁，點選「更多動作 > 取消訂單」。消費者尚未付款，所以沒有款項需要退還：訂單顯示「已取消」，付款狀態仍為「付款待處理」（手冊 6-2 #1044 範例）。綠界的虛擬帳號在繳費期限（2 天）前仍可轉帳；若消費者在取消後仍轉帳，ATM 無法線上退款，請聯繫消費者協商退款方式。",
    "admin.help.feesTitle": "費用（手冊 01）",
    "admin.help.feesShopify": "Shopify 收取：開店月租費用 19 美金起/月；除月租費外，Shopify 會額外收取平台交易費，收費方案請參照 Shopify 官方說明。",
    "admin.help.feesEcpay": "綠界收取：交易手續費依綠界賣家於「廠商後台 > 廠商專區 > 合約及費率」顯示的各付款方式手續費為準。本 App 不另收費用；每筆交易的手續費（綠界回傳的 PaymentTypeChargeFee）列在交易明細與 CSV 的「手續費」欄。",
    "admin.help.feesShopifyLink": "Shopify 方案與費用",
    "admin.help.feesEcpayLink": "綠界廠商後台（廠商專區 > 合約及費率）",
    "admin.help.appsTitle": "綠界的八款金流應用（手冊 02、3-1）",
    "admin.help.appsIntro":
      "每種付款方式是一款獨立的 App。已安裝的會顯示在 Shopify「設定 > 付款」；要加裝其他付款方式，請點選「新增付款方式」並「搜尋其他款綠界金流應用」，或使用以下安裝連結。請確認您的綠界帳號已啟用該服務且符合限制條件，否則安裝後將無法交易。",
    "admin.help.installLink": "安裝",
    "admin.help.thisApp": "本 App",
    "admin.help.note.credit": "有開通 Apple Pay 的特約賣家，會直接支援 Apple Pay。",
    "admin.help.note.installments": "支援銀行依會員合約議定，詳見綠界合作銀行清單；於綠界啟用的分期期數選項，結帳時會全部顯示（可在「付款方式設定」限制本店提供的期數）。",
    "admin.help.note.redeem": "最高折抵100%，詳見各銀行紅利折抵辦法。",
    "admin.help.note.unionpay": "綠界測試環境沒有銀聯卡，測試模式無法使用。",
    "admin.help.note.atm": "可使用網銀、ATM機台、臨櫃，進行轉帳（繳費期限統一固定為2天）。",
    "admin.help.note.webatm": "僅支援桌機、筆電設備，需使用晶片讀卡機驗證交易。",
    "admin.help.note.twqr": "支援街口、全支付、歐付寶等行動支付方式。",
    "admin.help.note.wechatpay": "微信支付的退款與取消請至歐付寶廠商後台操作（手冊 6-2、6-3）。",
    "admin.help.bankListLink": "綠界客服中心：信用卡分期與紅利折抵說明",
    "admin.help.logisticsTitle": "物流與電子發票（手冊 04）",
    "admin.help.logistics":
      "本 App 只處理金流。已申請綠界物流、電子發票服務的綠界賣家，可透過 akohub 提供的服務串接安裝：於綠界 Shopify 服務介紹頁「安裝物流及電子發票服務」區塊輸入您的 Shopify 商店網址並點選立即安裝，或於 Shopify App Store 下載「台灣物流超商取貨電子發票」。完整啟用步驟及服務設定，請參考 akohub 啟用指南。",
    "admin.help.logisticsAppLink": "Shopify App Store：台灣物流超商取貨電子發票",
    "admin.help.servicePageLink": "綠界 Shopify 服務介紹頁",
    "admin.help.ecpayExportsTitle": "綠界廠商後台的 Shopify 專用報表（手冊 7-2）",
    "admin.help.ecpayExportsIntro": "除了本 App 的「交易紀錄 > 匯出對帳檔」，也可以在綠界廠商後台匯出含 Payment ID 的報表：",
    "admin.help.ecpayExportGeneral": "一般賣家：綠界帳戶管理 > 撥款明細報表，點選「匯出(Shopify專用)」；調閱區間最大為1個月。",
    "admin.help.ecpayExportGateway":
      "新型閘道賣家：信用卡收單 > 信用卡交易明細（新版報表），點選「匯出CVS(Shopify專用)」（按鈕名稱依綠界原文）；查詢區間不可超過3個月。",
    "admin.help.ecpayApiDocs": "也可以依綠界「Shopify專用金流API技術文件」串接 API 核對訂單（綠界串接規格下載 > Shopify金流串接）。",
  },
  en: {
    "admin.help.cancelled": "Cancelled",
    "admin.help.status.cancelled":
      "Cancelled (已取消): a Paid order after it was cancelled; its number and date are struck through and the order page says Cancelled (manual §6-2). The payment status follows the refund (Refunded with \"Refund\", still Paid with \"Refund later\"). For OPay TWQR and WeChat Pay, cancel the order in OPay's back office.",
    "admin.help.cancelPendingTitle": "Cancelling a Payment pending ATM order",
    "admin.help.cancelPending":
      "Open the order in Shopify and choose More actions > Cancel order. The buyer has not paid, so there is nothing to refund: the order shows Cancelled and its payment stays Payment pending (the manual's order #1044 in §6-2). ECPay's virtual account still accepts a transfer until its 2-day deadline; if the buyer transfers after you cancelled, ATM payments cannot be refunded online, so contact the buyer to arrange the refund.",
    "admin.help.feesTitle": "Fees (manual §1)",
    "admin.help.feesShopify": "Shopify charges: a monthly plan from USD 19 per month, plus Shopify's own transaction fees; see Shopify's pricing.",
    "admin.help.feesEcpay": "ECPay charges: the transaction fee of each payment method as shown in ECPay's back office under 廠商後台 > 廠商專區 > 合約及費率 (contract and rates). This app charges nothing; each payment's fee (ECPay's PaymentTypeChargeFee) is on its detail page and in the CSV's 手續費 column.",
    "admin.help.feesShopifyLink": "Shopify plans and fees",
    "admin.help.feesEcpayLink": "ECPay back office (廠商專區 > 合約及費率)",
    "admin.help.appsTitle": "ECPay's eight payment apps (manual §2, §3-1)",
    "admin.help.appsIntro":
      "Each payment method is its own app. Installed ones are listed in Shopify under Settings > Payments; to add another, click Add payment method (新增付款方式) and search for ECPay's other apps (搜尋其他款綠界金流應用), or use the install links below. Your ECPay account must have the service enabled and meet the restriction, or the app cannot take payments.",
    "admin.help.installLink": "Install",
    "admin.help.thisApp": "this app",
    "admin.help.note.credit": "Contracted merchants with Apple Pay enabled accept Apple Pay through it.",
    "admin.help.note.installments": "The banks follow your ECPay contract; see ECPay's partner-bank list. Every period enabled at ECPay is offered at checkout (Method settings can limit them for this shop).",
    "admin.help.note.redeem": "Up to 100% of the amount can be paid with points; each bank's redemption rules apply.",
    "admin.help.note.unionpay": "ECPay's stage has no UnionPay, so test mode cannot use it.",
    "admin.help.note.atm": "Buyers transfer by online banking, at an ATM or over the counter (the deadline is fixed at 2 days).",
    "admin.help.note.webatm": "Desktops and laptops only; the buyer verifies with a chip card reader.",
    "admin.help.note.twqr": "Buyers pay with JKOPAY, PX Pay Plus, OPay and other mobile wallets.",
    "admin.help.note.wechatpay": "WeChat Pay refunds and cancellations are made in OPay's back office (manual §6-2, §6-3).",
    "admin.help.bankListLink": "ECPay help center: installments and bonus-point redemption",
    "admin.help.logisticsTitle": "Shipping and e-invoices (manual §4)",
    "admin.help.logistics":
      "This app only takes payments. ECPay merchants with ECPay's logistics or e-invoice service connect them through akohub: enter your Shopify store URL under 安裝物流及電子發票服務 on ECPay's Shopify service page and click install, or install 台灣物流超商取貨電子發票 from the Shopify App Store. akohub's setup guide has every step.",
    "admin.help.logisticsAppLink": "Shopify App Store: 台灣物流超商取貨電子發票",
    "admin.help.servicePageLink": "ECPay's Shopify service page",
    "admin.help.ecpayExportsTitle": "ECPay's own Shopify exports (manual §7-2)",
    "admin.help.ecpayExportsIntro": "Besides this app's Transactions > Export, ECPay's back office exports reports with the Payment ID:",
    "admin.help.ecpayExportGeneral": "Standard merchants (一般): 綠界帳戶管理 > 撥款明細報表 (payout report), button 匯出(Shopify專用); at most 1 month per export.",
    "admin.help.ecpayExportGateway":
      "Gateway merchants (閘道): 信用卡收單 > 信用卡交易明細 (new report), button 匯出CVS(Shopify專用) (ECPay's spelling); at most 3 months per query.",
    "admin.help.ecpayApiDocs": "You can also check orders through ECPay's API for Shopify (綠界串接規格下載 > Shopify金流串接, 「Shopify專用金流API技術文件」).",
  },
});
