/**
 * Known-future covariates for direct multi-horizon forecasting: values known in advance for the
 * rows being forecast (the calendar, holidays), given to the model beside the past-only series.
 *
 * Covariates (K values per row, in the order given):
 *   day-of-week       sin(2πd/7), cos(2πd/7),          d = 0 (Monday) … 6 (Sunday)   daily series only
 *   month             sin(2π(m−1)/12), cos(2π(m−1)/12), m = 1 … 12                    daily or monthly
 *   holiday:<column>  the column's value as is (typically 0/1), read from the CSV; never normalised
 *   calendar          = day-of-week, month for a daily series; month for a monthly one
 * Cyclic sin/cos pairs, not one-hot: two values per feature, and December sits next to January.
 *
 * The layout (exact for any horizon H): input step t of a window carries, after the series' F
 * columns, the covariates of the H rows it precedes, rows t+1 … t+H:
 *   x[t] = [ series[t, 0..F) | cov[t+1, 0..K) | cov[t+2, 0..K) | … | cov[t+H, 0..K) ]   (F + H·K values)
 * so the window's last step carries exactly the covariates of its H target rows, and every step's
 * extra values mean the same thing (the recurrent weights are shared over steps). The covariate
 * values are neither normalised nor made relative to the last row.
 *
 * Dates: the series' row labels, ISO dates (YYYY-MM-DD, or YYYY-MM for months). The frequency is
 * read from them: every row one day after the last (daily), or one month with the same day
 * (monthly); anything else is refused. Rows after the series (for forecasting) have the dates that
 * continue it; a holiday column's values there are unknown unless given.
 *
 * Shape legend: L rows, K covariate values per row, H horizon.
 */
import { OptionError, ValueError } from "../errors/index.js";

export type Frequency = "daily" | "monthly";

/** Which covariates a model uses, as saved in its file (data.covariates). */
export interface CovariateInfo {
  /** "day-of-week", "month", "holiday:<column>" (calendar expanded), in the order of their values. */
  readonly names: readonly string[];
  readonly frequency: Frequency;
}

const DAY_MS = 86_400_000;

/** Values per row of each covariate. */
export const covariateWidth = (names: readonly string[]): number => names.reduce((s, n) => s + (n.startsWith("holiday:") ? 1 : 2), 0);

/** The option (a list or "a,b,c") as covariate names for a series of this frequency; "calendar" expanded. */
export function parseCovariates(where: string, option: string | readonly string[], frequency: Frequency): string[] {
  const items = (typeof option === "string" ? option.split(",") : [...option]).map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new OptionError(`${where}: covariates: expected a list such as calendar or day-of-week,month,holiday:<column>, got nothing`);
  const names: string[] = [];
  for (const item of items) {
    const add = (n: string) => { if (names.includes(n)) throw new OptionError(`${where}: covariates: ${n} given twice`); names.push(n); };
    if (item === "calendar") (frequency === "daily" ? ["day-of-week", "month"] : ["month"]).forEach(add);
    else if (item === "day-of-week" && frequency !== "daily") throw new OptionError(`${where}: covariates: day-of-week needs a daily series; this one is ${frequency} (use month, or calendar)`);
    else if (item === "day-of-week" || item === "month") add(item);
    else if (/^holiday:.+/.test(item)) add(item);
    else throw new OptionError(`${where}: covariates: unknown covariate "${item}"; valid: calendar, day-of-week, month, holiday:<column>`);
  }
  return names;
}

/** The UTC time of an ISO date label, or NaN. */
function parseDate(label: string): number {
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(label.trim());
  if (!m) return NaN;
  const y = Number(m[1]), mo = Number(m[2]), d = m[3] === undefined ? 1 : Number(m[3]);
  const t = Date.UTC(y, mo - 1, d), back = new Date(t);
  return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d ? t : NaN;
}

/** The frequency of rows labelled by ISO dates; a ValueError naming the first row that breaks it. */
export function inferFrequency(where: string, labels: readonly string[] | undefined): Frequency {
  if (!labels || labels.length < 2) throw new ValueError(`${where}: covariates need a date per row (ISO YYYY-MM-DD labels); the series has ${labels ? labels.length : "no"} labels`);
  const t = labels.map((l, i) => {
    const v = parseDate(l);
    if (Number.isNaN(v)) throw new ValueError(`${where}: covariates need ISO dates (YYYY-MM-DD or YYYY-MM) as row labels; row ${i} is labelled ${JSON.stringify(l)}`);
    return v;
  });
  const daily = t.every((v, i) => i === 0 || v - t[i - 1]! === DAY_MS);
  if (daily) return "daily";
  const month = (v: number) => { const d = new Date(v); return d.getUTCFullYear() * 12 + d.getUTCMonth(); };
  const bad = t.findIndex((v, i) => i > 0 && (month(v) - month(t[i - 1]!) !== 1 || new Date(v).getUTCDate() !== new Date(t[0]!).getUTCDate()));
  if (bad < 0) return "monthly";
  throw new ValueError(`${where}: covariates need a daily or monthly series without gaps; row ${bad} (${labels[bad]}) does not follow row ${bad - 1} (${labels[bad - 1]})`);
}

/** The date (UTC ms) of row r of a series whose row 0 is at t0, at this frequency (r may pass the series' end). */
function dateOf(t0: number, r: number, frequency: Frequency): number {
  if (frequency === "daily") return t0 + r * DAY_MS;
  const d = new Date(t0);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + r, d.getUTCDate());
}

/**
 * The covariates of rows 0 … rows−1 [rows, K]: the calendar from the dates (row 0 labelled
 * `firstDate`), holiday values from `holidays` (by column name; rows past a column's end are NaN:
 * unknown). `rows` may pass the series' end (the rows being forecast).
 */
export function covariateTable(info: CovariateInfo, firstDate: string, rows: number, holidays: Readonly<Record<string, ArrayLike<number>>> = {}): Float64Array {
  const K = covariateWidth(info.names), out = new Float64Array(rows * K), t0 = parseDate(firstDate);
  if (Number.isNaN(t0)) throw new ValueError(`covariates: expected an ISO date (YYYY-MM-DD or YYYY-MM), got ${JSON.stringify(firstDate)}`);
  for (let r = 0; r < rows; r++) {
    const d = new Date(dateOf(t0, r, info.frequency));
    let j = r * K;
    for (const n of info.names) {
      if (n === "day-of-week" || n === "month") {
        const a = n === "day-of-week" ? (2 * Math.PI * ((d.getUTCDay() + 6) % 7)) / 7 : (2 * Math.PI * d.getUTCMonth()) / 12;
        out[j++] = Math.sin(a); out[j++] = Math.cos(a);
      } else {
        const col = holidays[n.slice("holiday:".length)];
        if (!col) throw new OptionError(`covariates: ${n} needs the values of column "${n.slice(8)}"; none were given`);
        out[j++] = r < col.length ? col[r]! : NaN;
      }
    }
  }
  return out;
}

/**
 * Appends to input row r the covariates of rows r+1 … r+H (see the layout above): writes
 * dst[at + h·K + j] = table[(r + 1 + h)·K + j]. A NaN (a holiday value not known) is refused.
 */
export function writeKnown(dst: { [i: number]: number }, at: number, table: ArrayLike<number>, K: number, r: number, H: number): void {
  for (let h = 0; h < H; h++) {
    for (let j = 0; j < K; j++) {
      const v = table[(r + 1 + h) * K + j];
      if (v === undefined || Number.isNaN(v)) throw new ValueError(`covariates: the value ${j} of row ${r + 1 + h} is not known (a holiday column must cover every row forecast; give its values for the rows ahead)`);
      dst[at + h * K + j] = v;
    }
  }
}
