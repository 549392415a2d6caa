// Types of mulberry32.mjs, for the TypeScript fixture scripts.
export function mulberry32(seed: number): () => number;
