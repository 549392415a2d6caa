/**
 * Number formatting for SVG output: coordinates with at most two decimals (small files, no
 * `1.0000000002`), and an estimate of text width for layout (no font metrics without a browser).
 */

/** A coordinate rounded to 0.01 px, without trailing zeros and never `-0`. */
export function px(v: number): string {
  const r = Math.round(v * 100) / 100;
  return r === 0 ? "0" : String(r);
}

/** Approximate width in px of `s` drawn in a sans-serif font of `fontSize` px (DejaVu Sans is wide). */
export function textWidth(s: string, fontSize: number): number {
  return s.length * fontSize * 0.6;
}

/** A value shown to a reader (bar labels, table cells): up to 4 significant digits, trimmed. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3).replace(/\.?0+e/, "e").replace("e+", "e");
  return String(Number(v.toPrecision(4)));
}
