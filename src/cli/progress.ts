/**
 * Progress on long work: a bar with loss, metric, steps/s and ETA on a terminal (cli-progress),
 * plain lines otherwise (CI logs, pipes), nothing with --quiet or --json.
 */
import cliProgress from "cli-progress";
import type { BatchInfo, EpochRecord } from "../train/fit.js";

export interface Progress {
  batch(b: BatchInfo): void;
  epoch(e: EpochRecord, metric: string): void;
  stop(): void;
}

export function progress(mode: "bar" | "lines" | "none", totalSteps: number, label: string): Progress {
  if (mode === "none") return { batch() {}, epoch() {}, stop() {} };
  const t0 = Date.now();
  if (mode === "lines") {
    return {
      batch() {},
      epoch(e, metric) {
        const v = e.validation ? `  validation loss ${e.validation.loss.toFixed(4)}${metric}` : metric;
        process.stdout.write(`${label} epoch ${e.epoch + 1}: train loss ${e.train.loss.toFixed(4)}${v}  (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar({
    format: `${label} [{bar}] {percentage}% | epoch {epoch} | loss {loss} | {metric} | {rate} steps/s | ETA {eta_formatted}`,
    hideCursor: true, clearOnComplete: false, etaBuffer: 50,
  }, cliProgress.Presets.shades_classic);
  bar.start(totalSteps, 0, { epoch: 1, loss: "-", metric: "", rate: "-" });
  let metric = "", stopped = false;
  return {
    batch(b) {
      if (stopped) return;
      const rate = (b.step / Math.max(1e-3, (Date.now() - t0) / 1000)).toFixed(1);
      bar.update(b.step, { epoch: b.epoch + 1, loss: b.loss.toFixed(4), metric, rate });
    },
    epoch(e, m) {
      metric = `val ${e.validation ? e.validation.loss.toFixed(4) : "-"}${m}`;
    },
    stop() {
      // idempotent: a second Ctrl-C stops it again on the way out
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}

export function progressMode(opts: { quiet?: boolean; json?: boolean }): "bar" | "lines" | "none" {
  if (opts.quiet || opts.json) return "none";
  return process.stdout.isTTY ? "bar" : "lines";
}
