/** Declare an area's messages: both languages must have exactly the same keys. */
export function defineMessages<K extends string>(messages: { "zh-TW": Record<K, string>; en: Record<K, string> }) {
  return messages;
}
