/**
 * When splitting a kernel call between threads pays (the thread pool's adaptive switch; pool.ts).
 * Platform-free: Node and browsers alike.
 *
 * The workers' share of the chunks in recent split calls is low when their cores are busy with
 * other processes, or when calls are so short that a worker wakes up too late to take much: then
 * calls run on the calling thread alone, with a split now and then to notice a free core again.
 */

/** Below this share of the chunks done by workers (moving average), splitting is not worth it. */
const MIN_SHARE = 0.35;
/**
 * While splitting is not worth it, a call is split anyway to notice a free core again: one in
 * PROBE_EVERY, and any call when none of its size class was split for PROBE_MS (long calls come
 * one every second or so: counting alone took minutes to look again).
 */
const PROBE_EVERY = 64;
const PROBE_MS = 100;
/** Calls above this many operations (a few milliseconds of work) are judged apart from the short ones. */
const LARGE_FLOPS = 2e7;

/**
 * Whether splitting a call pays, from the share of chunks the workers took in recent splits.
 * Calls below and above LARGE_FLOPS are judged apart. Exported for tests.
 */
export class SplitJudge {
  /** Moving averages of the workers' share of the chunks, per size class. */
  private readonly share = [0.5, 0.5];
  private readonly skipped = [0, 0];
  private readonly lastSplit = [0, 0];

  constructor(private readonly adaptive: boolean, private readonly now: () => number = () => performance.now()) {}

  admit(flops: number): boolean {
    const b = flops < LARGE_FLOPS ? 0 : 1;
    if (!this.adaptive || this.share[b]! >= MIN_SHARE) return true;
    const t = this.now();
    if (++this.skipped[b]! % PROBE_EVERY !== 0 && t - this.lastSplit[b]! < PROBE_MS) return false;
    this.lastSplit[b] = t;
    return true;
  }

  /** After a split call: the share of its chunks the workers took. */
  record(flops: number, workerShare: number): void {
    const b = flops < LARGE_FLOPS ? 0 : 1;
    this.share[b] = 0.8 * this.share[b]! + 0.2 * workerShare;
    this.lastSplit[b] = this.now();
  }
}
