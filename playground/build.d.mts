// Types of build.mjs, for the TypeScript tests that build the playground.
export declare const DIST: string;
/** Builds the playground into `out` (default playground/dist); returns the files written, relative to it. */
export declare function buildPlayground(out?: string): Promise<string[]>;
