/**
 * Colours. Series colours are Tableau 10 (distinct, readable on white). The heat-map palettes are
 * given by their stops: `sequential` is viridis (dark violet → yellow, perceptually uniform, fine in
 * grey print), `diverging` is ColorBrewer RdBu reversed (blue → white → red, white at the middle).
 * colorScale maps min to the first stop and max to the last, linearly in RGB between stops.
 */
import { oneOf } from "../../errors/index.js";

export const SERIES_COLORS = [
  "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
] as const;

export const PALETTE_NAMES = ["sequential", "diverging"] as const;
export type PaletteName = (typeof PALETTE_NAMES)[number];

export const PALETTES: Record<PaletteName, readonly string[]> = {
  sequential: ["#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30", "#fde725"],
  diverging: ["#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7", "#fddbc7", "#f4a582", "#d6604d", "#b2182b"],
};

/** The colour for a value that is missing (NaN) in a heat map. */
export const MISSING_COLOR = "#d0d0d0";

export function seriesColor(i: number): string {
  return SERIES_COLORS[i % SERIES_COLORS.length]!;
}

export function checkPalette(where: string, name: unknown): PaletteName {
  return oneOf(where, "palette", name, PALETTE_NAMES);
}

function rgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function hex(r: number, g: number, b: number): string {
  const h = (v: number) => Math.round(Math.min(255, Math.max(0, v))).toString(16).padStart(2, "0");
  return `#${h(r)}${h(g)}${h(b)}`;
}

/** The colour at t ∈ [0, 1] along the stops (clamped): t = 0 is the first stop, t = 1 the last. */
export function interpolateColor(stops: readonly string[], t: number): string {
  const u = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(u));
  const f = u - i;
  const a = rgb(stops[i]!), b = rgb(stops[i + 1]!);
  return hex(a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f);
}

/** `levels` colours evenly spaced along a palette: entry 0 is the first stop, the last entry the last stop. */
export function colorTable(palette: PaletteName, levels: number): string[] {
  const stops = PALETTES[palette];
  return Array.from({ length: levels }, (_, k) => interpolateColor(stops, k / (levels - 1)));
}
