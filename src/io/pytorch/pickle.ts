/**
 * A restricted unpickler: reads the Python pickle streams that PyTorch writes (torch.save uses
 * protocol 2; TorchScript archives too) into plain values, and runs nothing. What it builds:
 *   None/True/False/int/float/str/bytes → null, boolean, number (bigint past 2^53), string, Uint8Array
 *   list → array; tuple → PyTuple (a frozen array); dict → Map; a global → PyGlobal {module, name}
 *   REDUCE / NEWOBJ / BUILD → handed to the caller's `call` and `build`, which know the few functions
 *   and classes of a state dict (collections.OrderedDict, torch._utils._rebuild_tensor_v2, …) and
 *   refuse every other one by name: no global is ever imported, no code ever executed.
 * Opcodes: those of protocols 0–5 that data (not code) needs; others (e.g. EXT*, the old string
 * opcodes of protocol 0's text form) are refused. Persistent ids (BINPERSID: PyTorch's storages)
 * go to the caller's `persistent`.
 * Limits: the stack and memo are bounded by the input's length; nesting by MAX_DEPTH.
 */
import { FormatError } from "../../errors/index.js";

export class PyTuple extends Array<unknown> {}
export interface PyGlobal { readonly kind: "global"; readonly module: string; readonly name: string }

export interface PickleHooks {
  /** f(...args): a REDUCE (or NEWOBJ, with `newobj` true) of a global the caller allows. */
  call(f: PyGlobal, args: readonly unknown[], newobj: boolean): unknown;
  /** obj.__setstate__(state) / obj.__dict__.update(state): BUILD. Returns the object. */
  build(obj: unknown, state: unknown): unknown;
  /** BINPERSID / PERSID: a storage reference. */
  persistent(pid: unknown): unknown;
}

const MARK = Symbol("mark");
const MAX_DEPTH = 1000;

export const isGlobal = (v: unknown): v is PyGlobal => typeof v === "object" && v !== null && (v as PyGlobal).kind === "global" && !(v instanceof Map) && !Array.isArray(v);
export const qualName = (g: PyGlobal) => `${g.module}.${g.name}`;

/** Decodes one pickle starting at `start`; returns the value and the offset after STOP. */
export function unpickle(bytes: Uint8Array, hooks: PickleHooks, where: string, start = 0): { value: unknown; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  const stack: unknown[] = [], marks: number[] = [], memo = new Map<number, unknown>();
  let p = start;
  const fail = (msg: string): never => { throw new FormatError(`${where}: ${msg} (pickle byte ${p})`); };
  const need = (n: number) => { if (p + n > bytes.length) fail(`ends inside an opcode (needs ${n} more bytes)`); };
  const u8 = () => { need(1); return bytes[p++]!; };
  const u16 = () => { need(2); const v = view.getUint16(p, true); p += 2; return v; };
  const u32 = () => { need(4); const v = view.getUint32(p, true); p += 4; return v; };
  const i32 = () => { need(4); const v = view.getInt32(p, true); p += 4; return v; };
  const u64 = () => { need(8); const v = view.getBigUint64(p, true); p += 8; if (v > BigInt(bytes.length)) fail(`length ${v} is past the end of the data`); return Number(v); };
  const take = (n: number) => { need(n); const b = bytes.subarray(p, p + n); p += n; return b; };
  const str = (n: number) => { try { return utf8.decode(take(n)); } catch { return fail("a string is not valid UTF-8"); } };
  const line = () => { const e = bytes.indexOf(10, p); if (e < 0) fail("a text argument has no end of line"); const s = new TextDecoder("latin1").decode(bytes.subarray(p, e)); p = e + 1; return s; };
  const pop = () => { if (stack.length === 0 || stack[stack.length - 1] === MARK) fail("pops an empty stack"); return stack.pop(); };
  const top = () => { if (stack.length === 0) fail("reads an empty stack"); return stack[stack.length - 1]; };
  const popMark = () => {
    const m = marks.pop();
    if (m === undefined) fail("has no MARK to pop to");
    const items = stack.splice(m!);
    items.shift();
    return items;
  };
  const push = (v: unknown) => { if (stack.length > MAX_DEPTH * 64) fail("stack too deep"); stack.push(v); };
  const setItems = (d: unknown, items: unknown[]) => {
    if (!(d instanceof Map)) fail("SETITEM(S) on something that is not a dict");
    for (let i = 0; i + 1 < items.length; i += 2) (d as Map<unknown, unknown>).set(items[i], items[i + 1]);
  };
  const append = (l: unknown, items: unknown[]) => {
    if (!Array.isArray(l) || l instanceof PyTuple) fail("APPEND(S) on something that is not a list");
    (l as unknown[]).push(...items);
  };
  const long = (b: Uint8Array): number | bigint => {
    if (b.length === 0) return 0;
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    if (b[b.length - 1]! & 0x80) v -= 1n << BigInt(8 * b.length);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const tuple = (items: unknown[]) => { const t = new PyTuple(); t.push(...items); return Object.freeze(t); };
  const global = (module: string, name: string): PyGlobal => ({ kind: "global", module, name });

  for (;;) {
    const at = p, op = u8();
    switch (op) {
      case 0x80: { const v = u8(); if (v > 5) fail(`pickle protocol ${v} is newer than 5`); break; } // PROTO
      case 0x95: u64(); break; // FRAME: framing only
      case 0x2e: return { value: pop(), end: p }; // STOP
      case 0x28: marks.push(stack.length); push(MARK); break; // MARK
      case 0x4e: push(null); break; // NONE
      case 0x88: push(true); break; // NEWTRUE
      case 0x89: push(false); break; // NEWFALSE
      case 0x4b: push(u8()); break; // BININT1
      case 0x4d: push(u16()); break; // BININT2
      case 0x4a: push(i32()); break; // BININT
      case 0x8a: push(long(take(u8()))); break; // LONG1
      case 0x8b: { const n = i32(); if (n < 0) fail("negative LONG4 length"); push(long(take(n))); break; } // LONG4
      case 0x47: need(8); push(view.getFloat64(p, false)); p += 8; break; // BINFLOAT (big-endian)
      case 0x49: { const s = line(); push(s === "01" ? true : s === "00" ? false : Number(s)); break; } // INT
      case 0x4c: push(Number(line().replace(/L$/, ""))); break; // LONG (text)
      case 0x46: push(Number(line())); break; // FLOAT (text)
      case 0x58: push(str(u32())); break; // BINUNICODE
      case 0x8c: push(str(u8())); break; // SHORT_BINUNICODE
      case 0x8d: push(str(u64())); break; // BINUNICODE8
      case 0x54: { const n = i32(); if (n < 0) fail("negative BINSTRING length"); push(new TextDecoder("latin1").decode(take(n))); break; } // BINSTRING
      case 0x55: push(new TextDecoder("latin1").decode(take(u8()))); break; // SHORT_BINSTRING
      case 0x42: push(take(u32()).slice()); break; // BINBYTES
      case 0x43: push(take(u8()).slice()); break; // SHORT_BINBYTES
      case 0x8e: push(take(u64()).slice()); break; // BINBYTES8
      case 0x96: push(take(u64()).slice()); break; // BYTEARRAY8
      case 0x7d: push(new Map()); break; // EMPTY_DICT
      case 0x5d: push([]); break; // EMPTY_LIST
      case 0x29: push(tuple([])); break; // EMPTY_TUPLE
      case 0x8f: push(new Set()); break; // EMPTY_SET
      case 0x90: { const items = popMark(); const s = top(); if (!(s instanceof Set)) fail("ADDITEMS on something that is not a set"); for (const i of items) (s as Set<unknown>).add(i); break; } // ADDITEMS
      case 0x91: push(new Set(popMark())); break; // FROZENSET
      case 0x64: { const m = new Map(); setItems(m, popMark()); push(m); break; } // DICT
      case 0x6c: push(popMark()); break; // LIST
      case 0x74: push(tuple(popMark())); break; // TUPLE
      case 0x85: push(tuple([pop()])); break; // TUPLE1
      case 0x86: { const b = pop(), a = pop(); push(tuple([a, b])); break; } // TUPLE2
      case 0x87: { const c = pop(), b = pop(), a = pop(); push(tuple([a, b, c])); break; } // TUPLE3
      case 0x73: { const v = pop(), k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x61: { const v = pop(); append(top(), [v]); break; } // APPEND
      case 0x65: { const items = popMark(); append(top(), items); break; } // APPENDS
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: push(top()); break; // DUP
      case 0x70: memo.set(Number(line()), top()); break; // PUT
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x67: case 0x68: case 0x6a: { // GET, BINGET, LONG_BINGET
        const k = op === 0x67 ? Number(line()) : op === 0x68 ? u8() : u32();
        if (!memo.has(k)) fail(`memo entry ${k} is read before it is written`);
        push(memo.get(k));
        break;
      }
      case 0x63: { const module = line(), name = line(); push(global(module, name)); break; } // GLOBAL
      case 0x93: { const name = pop(), module = pop(); if (typeof module !== "string" || typeof name !== "string") fail("STACK_GLOBAL needs two strings"); push(global(module as string, name as string)); break; } // STACK_GLOBAL
      case 0x52: { // REDUCE
        const args = pop(), f = pop();
        if (!isGlobal(f)) fail("REDUCE calls something that is not a named function");
        if (!(args instanceof PyTuple)) fail("REDUCE arguments are not a tuple");
        push(hooks.call(f as PyGlobal, args as unknown[], false));
        break;
      }
      case 0x81: { // NEWOBJ
        const args = pop(), cls = pop();
        if (!isGlobal(cls) || !(args instanceof PyTuple)) fail("NEWOBJ needs a class and a tuple");
        push(hooks.call(cls as PyGlobal, args as unknown[], true));
        break;
      }
      case 0x62: { const state = pop(); push(hooks.build(pop(), state)); break; } // BUILD
      case 0x51: push(hooks.persistent(pop())); break; // BINPERSID
      case 0x50: push(hooks.persistent(line())); break; // PERSID
      default:
        fail(`opcode 0x${op.toString(16).padStart(2, "0")} at byte ${at} is not one gated reads (gated reads data, never code)`);
    }
  }
}
