// The two update conventions of the gated cells, forward and backward, on f32x4 lanes (shared by
// gated.ts and light.ts):
//   "keep":    h' = z ⊙ h + (1 − z) ⊙ n
//   "replace": h' = (1 − z) ⊙ h + z ⊙ n
import { K, K_ONE } from "./activations";

/** h' from the gate z, the previous state h and the candidate n. */
// @ts-ignore: decorator
@inline export function mix(z: v128, h: v128, n: v128, replace: bool): v128 {
  const one = K(K_ONE);
  return replace
    ? f32x4.add(f32x4.mul(f32x4.sub(one, z), h), f32x4.mul(z, n))
    : f32x4.add(f32x4.mul(z, h), f32x4.mul(f32x4.sub(one, z), n));
}

/** dL/dz from dL/dh': dh ⊙ (n − h) (replace) or dh ⊙ (h − n) (keep). */
// @ts-ignore: decorator
@inline export function mixGradGate(dh: v128, h: v128, n: v128, replace: bool): v128 {
  return f32x4.mul(dh, replace ? f32x4.sub(n, h) : f32x4.sub(h, n));
}

/** dL/dn from dL/dh': dh ⊙ z (replace) or dh ⊙ (1 − z) (keep). */
// @ts-ignore: decorator
@inline export function mixGradCand(dh: v128, z: v128, replace: bool): v128 {
  return f32x4.mul(dh, replace ? z : f32x4.sub(K(K_ONE), z));
}

/** dL/dh (through h' alone) from dL/dh': dh ⊙ (1 − z) (replace) or dh ⊙ z (keep). */
// @ts-ignore: decorator
@inline export function mixGradState(dh: v128, z: v128, replace: bool): v128 {
  return f32x4.mul(dh, replace ? f32x4.sub(K(K_ONE), z) : z);
}
