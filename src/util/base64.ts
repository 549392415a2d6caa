/** The bytes of a base64 string (atob: browser-safe, and in Node ≥ 16); throws on a character outside base64. */
export function base64Bytes(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
