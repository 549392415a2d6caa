/**
 * What a worker thread of the kernel pool runs (pool.ts), as source text: the same loop for Node's
 * worker_threads (CommonJS, evaluated) and for a browser's Web Worker (a classic script, from a
 * Blob URL or a file), only the few lines that receive the start message differ. Browser-safe.
 *
 * A worker instantiates the kernel module on the shared memory it is given, sets its own buffer
 * for packing A, reports "ready" (or "failed"), then sleeps in Atomics.wait on the job's
 * generation word; each new job it takes chunks from the shared counter like the calling thread,
 * and a negative entry point ends the loop. A worker may always block: Atomics.wait is allowed in
 * Node's threads and in dedicated Web Workers (only a page's main thread is refused it).
 */

// Control words (an Int32Array over a SharedArrayBuffer of CONTROL_WORDS): the job (generation,
// entry point, chunk count, first descriptor, descriptor stride), the shared chunk counter
// (generation tag << 16 | next chunk), chunks done, a failure flag; one ready flag and one count of
// chunks run per worker (up to 8); one done flag per chunk (set to 1 by whoever ran it)
export const SEQ = 0, FN = 1, COUNT = 2, DESC0 = 3, STRIDE = 4, NEXT = 5, DONE = 6, FAILED = 7, READY = 16, RAN = 24, FLAGS = 32;

/** What a worker is given to start: the compiled module, the shared memory, the control words. */
export interface WorkerInit {
  readonly module: unknown;
  readonly memory: unknown;
  readonly control: SharedArrayBuffer;
  /** This worker's number, from 0 (its READY and RAN words). */
  readonly index: number;
  /** Entry points by job number (runtime.ts JOB_NAMES). */
  readonly names: readonly string[];
  /** Its buffer for packing A (a byte address in the memory). */
  readonly pack: number;
}

/** The loop: start(init, post) with post(message) sending "ready" or "failed" to the pool. */
const LOOP = `
function start(d, post) {
  const c = new Int32Array(d.control);
  let fns;
  try {
    const inst = new WebAssembly.Instance(d.module, { env: { memory: d.memory, abort() { throw new Error("wasm kernels: abort"); } } });
    inst.exports.setPackBuffer(d.pack);
    fns = d.names.map((n) => inst.exports[n]);
  } catch (e) {
    post("failed");
    throw e;
  }
  const index = d.index;
  Atomics.store(c, ${READY} + index, 1);
  post("ready");
  let seen = Atomics.load(c, ${SEQ});
  for (;;) {
    Atomics.wait(c, ${SEQ}, seen);
    seen = Atomics.load(c, ${SEQ});
    const f = c[${FN}];
    if (f < 0) break;
    const n = c[${COUNT}], d0 = c[${DESC0}], stride = c[${STRIDE}], tag = (seen & 0x7fff) << 16;
    for (;;) {
      const cur = Atomics.load(c, ${NEXT});
      if ((cur & 0x7fff0000) !== tag || (cur & 0xffff) >= n) break;
      if (Atomics.compareExchange(c, ${NEXT}, cur, cur + 1) !== cur) continue;
      try { fns[f](d0 + (cur & 0xffff) * stride); } catch (e) { Atomics.store(c, ${FAILED}, 1); }
      Atomics.add(c, ${RAN} + index, 1);
      Atomics.store(c, ${FLAGS} + (cur & 0xffff), 1);
      Atomics.notify(c, ${FLAGS} + (cur & 0xffff));
      if (Atomics.add(c, ${DONE}, 1) + 1 === n) Atomics.notify(c, ${DONE});
    }
  }
}
`;

/** Node: evaluated by worker_threads as CommonJS; the start message is workerData. */
export const NODE_WORKER_SOURCE = `${LOOP}
const { workerData, parentPort } = require("node:worker_threads");
start(workerData, (m) => parentPort.postMessage(m));
`;

/**
 * A browser's dedicated Web Worker (a classic script): the first message is the WorkerInit; the
 * worker closes when the pool stops it. Served as a file, it lets a page whose Content Security
 * Policy refuses blob: workers use threads (enableThreads' workerUrl option).
 */
export const WEB_WORKER_SOURCE = `${LOOP}
self.onmessage = (e) => {
  self.onmessage = null;
  try { start(e.data, (m) => self.postMessage(m)); } finally { self.close(); }
};
`;
