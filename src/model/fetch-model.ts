/**
 * A model file over HTTP (a browser, or Node 20's fetch): `fetchModel(url, init?)` fetches the
 * bytes and decodes them as `Model.fromBytes` does. An HTTP failure is a FetchError naming the URL
 * and the status (`fetchModel: GET https://…/m.safetensors answered 404 Not Found`); a network
 * failure names its cause; a body that is not a gated model is a FormatError naming the URL.
 * Browser-safe: it uses the global fetch only.
 */
import { GatedError, OptionError, show } from "../errors/index.js";
import { decodeModel } from "../io/model-file.js";
import type { NonFiniteOption } from "../io/finite.js";
import type { Model } from "./model.js";
import type { Precision } from "./precision.js";

export class FetchError extends GatedError {
  /** The HTTP status, or null when no answer came (network failure). */
  readonly status: number | null;
  constructor(message: string, status: number | null) {
    super("io", message);
    this.name = "FetchError";
    this.status = status;
  }
}

/** fetchModel's own options, beside fetch's. */
export interface FetchModelOptions extends NonFiniteOption {
  /** The precision to run the recurrent layers in, as Model.fromBytes's (an int8 file in "float32" where int8 cannot run). */
  readonly precision?: Precision;
}

/** Fetches and decodes a model file; `init` is passed to fetch (headers, credentials, signal...) except fetchModel's own options. */
export async function fetchModel(url: string | URL, init?: RequestInit & FetchModelOptions): Promise<Model> {
  if (typeof url !== "string" && !(url instanceof URL)) throw new OptionError(`fetchModel: expected a URL (a string or URL), got ${show(url)}`);
  const f = (globalThis as { fetch?: typeof fetch }).fetch;
  if (typeof f !== "function") throw new FetchError("fetchModel: this environment has no fetch (Node 18+ and browsers have one); read the bytes yourself and call Model.fromBytes", null);
  const { allowNonFinite, precision, ...request } = init ?? {};
  const where = String(url), method = request.method ?? "GET";
  let res: Response;
  try {
    res = await f(url, request);
  } catch (e) {
    const cause = (e as { cause?: { message?: string } }).cause?.message ?? (e as Error).message;
    throw new FetchError(`fetchModel: ${method} ${where} failed: ${cause}`, null);
  }
  if (!res.ok) {
    throw new FetchError(`fetchModel: ${method} ${where} answered ${res.status}${res.statusText ? ` ${res.statusText}` : ""}; expected 200 with a gated model file`, res.status);
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    throw new FetchError(`fetchModel: ${method} ${where}: the body could not be read: ${(e as Error).message}`, res.status);
  }
  return decodeModel(bytes, where, { ...(allowNonFinite === undefined ? {} : { allowNonFinite }), ...(precision === undefined ? {} : { precision }) });
}
