import { defineMessages } from "./define";

export const commonMessages = defineMessages({
  "zh-TW": {
    "login.title": "登入商店",
    "login.shopLabel": "商店網域",
    "login.submit": "登入",
    "login.invalidShop": "請輸入有效的 myshopify.com 商店網域",
  },
  en: {
    "login.title": "Log in to your store",
    "login.shopLabel": "Shop domain",
    "login.submit": "Log in",
    "login.invalidShop": "Enter a valid myshopify.com shop domain",
  },
});
