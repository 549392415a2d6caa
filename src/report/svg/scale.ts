/**
 * Scales: data value → pixel. A linear or log map from a domain [d0, d1] onto a range [r0, r1]
 * (r0 > r1 for a y axis, whose pixels grow downwards).
 */
export type Scale = (v: number) => number;

export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain, [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** Log10 scale; the domain must be positive (the callers check). */
export function logScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const lin = linearScale([Math.log10(domain[0]), Math.log10(domain[1])], range);
  return (v) => lin(Math.log10(v));
}
