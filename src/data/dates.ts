/**
 * Date normalisation, generated from the runtime's own locale data: a day written by
 * Intl.DateTimeFormat in one of several locales and styles ("7 févr. 2023", "Dienstag, 7. Februar
 * 2023") → its ISO 8601 form ("2023-02-07"). Character-level on both sides.
 *
 * Held out: a set of days that never appears in training (test and validation draw only from it),
 * and whole locales (heldOutLocale: test days written in locales never trained on). Styles default
 * to medium, long and full: short forms are ambiguous across locales (2/7/23 vs 7/2/23).
 * Source ids: 0 pad, 1 unknown, then the training characters in code order. Target ids: 0 pad,
 * 1 bos, 2 eos, then "-0123456789".
 */
import { OptionError, show } from "../errors/index.js";
import { Rng } from "../util/random.js";

export type DateStyle = "short" | "medium" | "long" | "full";

export interface DatesOptions {
  readonly count?: number;             // training pairs (default 4000)
  readonly validationCount?: number;   // default 200
  readonly testCount?: number;         // default 500
  readonly seed?: number;              // default 0
  readonly locales?: readonly string[];
  readonly heldOutLocales?: readonly string[];
  readonly styles?: readonly DateStyle[];
  /** First and last year (default 1950–2049). */
  readonly years?: readonly [number, number];
  /** Share of the days kept out of training (default 0.2). */
  readonly heldOutDays?: number;
}

export interface DatePair {
  readonly text: string;
  readonly iso: string;
  readonly locale: string;
  readonly style: DateStyle;
  readonly source: Int32Array;
  readonly target: Int32Array;
}

export interface DatesData {
  readonly train: readonly DatePair[];
  readonly validation: readonly DatePair[];
  readonly test: readonly DatePair[];
  readonly heldOutLocale: readonly DatePair[];
  readonly sourceVocabulary: readonly string[];
  readonly targetVocabulary: readonly string[];
  readonly pad: 0;
  readonly bos: 1;
  readonly eos: 2;
}

export const DATE_LOCALES = ["en-US", "en-GB", "de-DE", "fr-FR", "es-ES", "nl-NL", "pt-BR", "sv-SE"] as const;
export const DATE_HELD_OUT_LOCALES = ["it-IT"] as const;
const TARGET = ["<pad>", "<bos>", "<eos>", ..."-0123456789"];

export function loadDates(o: DatesOptions = {}): DatesData {
  const where = "dates";
  const count = o.count ?? 4000, nVal = o.validationCount ?? 200, nTest = o.testCount ?? 500;
  for (const [n, v] of [["count", count], ["validationCount", nVal], ["testCount", nTest]] as const) {
    if (!(Number.isSafeInteger(v) && v >= 0)) throw new OptionError(`${where}: ${n} must be a non-negative integer, got ${show(v)}`);
  }
  const [y0, y1] = o.years ?? [1950, 2049];
  if (!(Number.isInteger(y0) && Number.isInteger(y1) && 1000 <= y0 && y0 <= y1 && y1 <= 9999)) throw new OptionError(`${where}: years must be [first, last] within 1000..9999, got ${show(o.years)}`);
  const share = o.heldOutDays ?? 0.2;
  if (!(share > 0 && share < 1)) throw new OptionError(`${where}: heldOutDays must be in (0, 1), got ${show(share)}`);
  const styles = o.styles ?? ["medium", "long", "full"];
  const locales = o.locales ?? DATE_LOCALES, heldOut = o.heldOutLocales ?? DATE_HELD_OUT_LOCALES;
  const formats = new Map<string, Intl.DateTimeFormat>();
  for (const loc of [...locales, ...heldOut]) {
    if (Intl.DateTimeFormat.supportedLocalesOf([loc]).length === 0) throw new OptionError(`${where}: this runtime has no locale data for ${JSON.stringify(loc)}; it supports e.g. ${DATE_LOCALES.join(", ")}`);
    for (const st of styles) formats.set(`${loc}|${st}`, new Intl.DateTimeFormat(loc, { dateStyle: st, timeZone: "UTC" }));
  }
  const rng = new Rng(o.seed ?? 0);
  const first = Date.UTC(y0, 0, 1) / 864e5, days = Date.UTC(y1 + 1, 0, 1) / 864e5 - first;
  const order = Array.from({ length: days }, (_, i) => i);
  for (let i = days - 1; i > 0; i--) { const j = rng.int(i + 1); [order[i], order[j]] = [order[j]!, order[i]!]; }
  const cut = Math.round(days * share), testDays = order.slice(0, cut), trainDays = order.slice(cut);
  const make = (pool: number[], locs: readonly string[]) => {
    const day = pool[rng.int(pool.length)]!, loc = locs[rng.int(locs.length)]!, style = styles[rng.int(styles.length)]!;
    const date = new Date((first + day) * 864e5);
    return { text: formats.get(`${loc}|${style}`)!.format(date), iso: date.toISOString().slice(0, 10), locale: loc, style };
  };
  const raw = {
    train: Array.from({ length: count }, () => make(trainDays, locales)),
    validation: Array.from({ length: nVal }, () => make(testDays, locales)),
    test: Array.from({ length: nTest }, () => make(testDays, locales)),
    heldOutLocale: heldOut.length ? Array.from({ length: nTest }, () => make(testDays, heldOut)) : [],
  };
  const chars = [...new Set(raw.train.flatMap((p) => [...p.text]))].sort();
  const sourceVocabulary = ["<pad>", "<unk>", ...chars], index = new Map(chars.map((c, i) => [c, i + 2]));
  const encode = (p: (typeof raw.train)[number]): DatePair => ({
    ...p,
    source: Int32Array.from([...p.text], (c) => index.get(c) ?? 1),
    target: Int32Array.from(p.iso, (c) => TARGET.indexOf(c)),
  });
  return {
    train: raw.train.map(encode), validation: raw.validation.map(encode), test: raw.test.map(encode), heldOutLocale: raw.heldOutLocale.map(encode),
    sourceVocabulary, targetVocabulary: TARGET, pad: 0, bos: 1, eos: 2,
  };
}

/** Target ids (without eos) → text. */
export function decodeDate(ids: ArrayLike<number>): string {
  return Array.from(ids, (i) => (i >= 3 && i < TARGET.length ? TARGET[i]! : "?")).join("");
}

/** Share of predictions equal to their reference, character for character. */
export function exactMatch(predicted: readonly string[], reference: readonly string[]): number {
  if (predicted.length !== reference.length) throw new OptionError(`exactMatch: expected ${reference.length} predictions, got ${predicted.length}`);
  let hit = 0;
  predicted.forEach((p, i) => { if (p === reference[i]) hit++; });
  return reference.length ? hit / reference.length : 0;
}
