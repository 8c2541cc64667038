import { defineMessages } from "./define";

// The merchant admin (app/routes/apps.$method._admin.*).
export const adminMessages = defineMessages({
  "zh-TW": {
    "admin.notBound": "尚未綁定",
  },
  en: {
    "admin.notBound": "Not bound",
  },
});
