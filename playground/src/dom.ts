/** Small DOM helpers for the page: typed element lookup, text, errors, chart width. */

export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`playground: no element #${id} in index.html`);
  return el as T;
}

export function showError(message: string | null): void {
  const el = $("error");
  el.hidden = message === null;
  el.textContent = message ?? "";
}

/** A chart width that fits the element (at least 300 px, at most 900). */
export function chartWidth(el: HTMLElement): number {
  return Math.max(300, Math.min(900, Math.floor(el.clientWidth || 600)));
}

export const fmt = (v: number | null | undefined, digits = 4): string =>
  v === null || v === undefined || !Number.isFinite(v) ? "–" : v.toPrecision(digits);
