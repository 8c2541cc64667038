// A small seeded PRNG (mulberry32) for property tests: fast-check is not installed, and a fixed
// seed keeps every failure reproducible. The seed is printed in test names that use it.
export interface SeededRandom {
  /** Uniform in [0, 1). */
  next(): number;
  int(minInclusive: number, maxInclusive: number): number;
  pick<T>(items: readonly T[]): T;
  shuffle<T>(items: readonly T[]): T[];
  /** A string of `length` characters drawn from `alphabet` (code points). */
  string(alphabet: readonly string[], length: number): string;
}

export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => {
    const item = items[int(0, items.length - 1)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  };
  return {
    next,
    int,
    pick,
    shuffle: <T>(items: readonly T[]): T[] => {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i -= 1) {
        const j = int(0, i);
        [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
      }
      return copy;
    },
    string: (alphabet, length) => Array.from({ length }, () => pick(alphabet)).join(""),
  };
}

/** Every printable ASCII character, space through tilde. */
export const PRINTABLE_ASCII: readonly string[] = Array.from({ length: 0x7e - 0x20 + 1 }, (_, i) => String.fromCharCode(0x20 + i));

/** A spread of CJK: common Han, CJK punctuation, full-width forms, kana, Hangul, and an astral Han character. */
export const CJK_SAMPLE: readonly string[] = [
  ..."綠界科技促銷方案手機殼交易成功退款分期紅利銀聯臺灣台北",
  ..."，。、「」『』（）：；！？～",
  ..."ＡＢＣ１２３＃＆＋",
  ..."あいうアイウ한국어",
  "𠮷",
  "𩸽",
];
