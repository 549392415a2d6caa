// Timing: a window of repeated calls; the figure of a window is its time per call.
export interface Window { readonly ms: number; readonly calls: number }
export type Measurer = (seconds: number, maxCalls: number) => Promise<Window>;

/** Calls fn until `seconds` have passed (at least once, at most maxCalls times). */
export async function measure(fn: () => unknown, seconds: number, maxCalls: number): Promise<Window> {
  let calls = 0;
  const t0 = performance.now();
  do {
    const r = fn();
    if (r instanceof Promise) await r;
    calls++;
  } while (performance.now() - t0 < seconds * 1000 && calls < maxCalls);
  return { ms: (performance.now() - t0) / calls, calls };
}

/** Milliseconds per call of a synchronous fn, calling it until `seconds` have passed (at least once). */
export function timePerCall(fn: () => unknown, seconds: number): number {
  let n = 0;
  const t0 = performance.now();
  do { fn(); n++; } while (performance.now() - t0 < seconds * 1000);
  return (performance.now() - t0) / n;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
