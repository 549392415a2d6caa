/**
 * Typed errors. Every error a user can cause is a GatedError with a stable `code`, so callers and
 * tests can tell them apart without parsing messages. Messages say where, what was expected and
 * what came.
 */
export type ErrorCode =
  | "shape" // an array has the wrong shape or length
  | "option" // an unknown or invalid option value
  | "value" // a value is out of its domain (NaN, negative length, ...)
  | "state" // an object used in the wrong state (backward without a tape, ...)
  | "format" // a file or byte stream that is truncated, corrupt or not what it claims
  | "io"; // a file that cannot be read or written

export class GatedError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "GatedError";
    this.code = code;
  }
}

export class ShapeError extends GatedError {
  constructor(message: string) {
    super("shape", message);
    this.name = "ShapeError";
  }
}

export class OptionError extends GatedError {
  constructor(message: string) {
    super("option", message);
    this.name = "OptionError";
  }
}

export class ValueError extends GatedError {
  constructor(message: string) {
    super("value", message);
    this.name = "ValueError";
  }
}

export class StateError extends GatedError {
  constructor(message: string) {
    super("state", message);
    this.name = "StateError";
  }
}

export class FormatError extends GatedError {
  constructor(message: string) {
    super("format", message);
    this.name = "FormatError";
  }
}

/** A value as a message shows it: JSON, shortened; `nothing` for undefined, `a Float32Array(6)` for typed arrays. */
export function show(x: unknown): string {
  if (x === undefined) return "nothing";
  if (typeof x === "number" || typeof x === "bigint") return Object.is(x, -0) ? "-0" : String(x);
  if (typeof x === "function") return "a function";
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name}${"length" in x ? `(${String(x.length)})` : ""}`;
  let s: string;
  try {
    s = JSON.stringify(x) ?? String(x);
  } catch {
    s = String(x);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Throws an OptionError unless `opts` is undefined or an object with only the `known` keys. */
export function checkOptions(where: string, opts: unknown, known: readonly string[]): void {
  if (opts === undefined) return;
  if (opts === null || typeof opts !== "object" || Array.isArray(opts)) {
    throw new OptionError(`${where}: expected an options object {${known.join(", ")}}, got ${show(opts)}`);
  }
  for (const key of Object.keys(opts)) {
    if (!known.includes(key)) throw new OptionError(`${where}: unknown option "${key}"; valid options: ${known.join(", ")}`);
  }
}

/** An options argument that must be a plain object (a constructor's, a factory's). */
export function checkObject(where: string, opts: unknown): void {
  if (opts === null || typeof opts !== "object" || Array.isArray(opts)) throw new OptionError(`${where}: expected an options object, got ${show(opts)}`);
}

/** Formats a shape as `[2, 3, 4]` for messages. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** Throws an OptionError listing the valid choices when `value` is not one of them. */
export function oneOf<T extends string>(where: string, name: string, value: unknown, choices: readonly T[]): T {
  if (typeof value === "string" && (choices as readonly string[]).includes(value)) return value as T;
  throw new OptionError(
    `${where}: ${name} must be one of ${choices.map((c) => `"${c}"`).join(", ")}, got ${JSON.stringify(value)}`,
  );
}
