// The seeded generator of the fixture scripts (gen-*.mjs): mulberry32, uniform on [0, 1). Their
// recorded seeds reproduce the committed fixtures with it; do not change its arithmetic.
export function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
