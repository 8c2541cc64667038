// ECPay's daily close: "with 每日自動關帳 on, the system closes at 20:15 and you must not call
// DoAction between 20:15 and 20:30" (ecpay-aio §4.1). We cannot know the merchant's setting, so
// no DoAction is sent in that window: work due then waits until 20:30 Taiwan time.
import { taiwanDateParts } from "../../lib/taiwan-time";
import { DOACTION_PAUSE_MINUTES } from "../time-limits";

const WINDOW_START_MINUTE = DOACTION_PAUSE_MINUTES.start;
const WINDOW_END_MINUTE = DOACTION_PAUSE_MINUTES.end;

/** 20:30 Taiwan time when `now` falls in the 20:15–20:30 window, otherwise null. */
export function doActionPausedUntil(now: Date): Date | null {
  const parts = taiwanDateParts(now);
  if (!parts) return null;
  const minute = Number(parts.hour) * 60 + Number(parts.minute);
  if (minute < WINDOW_START_MINUTE || minute >= WINDOW_END_MINUTE) return null;
  const secondsIntoDay = minute * 60 + Number(parts.second);
  const msIntoSecond = now.getTime() % 1000;
  return new Date(now.getTime() + (WINDOW_END_MINUTE * 60 - secondsIntoDay) * 1000 - msIntoSecond);
}
