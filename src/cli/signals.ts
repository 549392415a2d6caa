/**
 * Ctrl-C (SIGINT) and SIGTERM for the whole command, installed before anything slow is loaded.
 *
 * - While a command has registered a stopper (train, during fit): the first signal asks it to stop;
 *   it writes a checkpoint and the command ends with 130 (SIGINT) or 143 (SIGTERM).
 * - Otherwise (start-up, data loading, every other command), or on a second signal: the process
 *   exits at once with that code and a one-line message. Every file gated writes is written
 *   synchronously and atomically (temporary file, then rename), and a handler only runs between
 *   two tasks of the event loop, so exiting here never leaves a partial file.
 *
 * No imports beyond Node itself: this module must load in a few milliseconds.
 */
export type StopSignal = "SIGINT" | "SIGTERM";

/** The exit code of a command stopped by `signal`: 128 + the signal's number. */
export const SIGNAL_EXIT_CODES: Readonly<Record<StopSignal, number>> = { SIGINT: 130, SIGTERM: 143 };

const NAMES: Readonly<Record<StopSignal, string>> = { SIGINT: "Ctrl-C", SIGTERM: "SIGTERM" };

export interface Stopper {
  /** Asks the work to stop at its next safe point (train: after the batch, with a checkpoint). */
  stop(signal: StopSignal): void;
  /** Said when a second signal ends the process at once (e.g. where the last checkpoint is). */
  readonly onForcedExit?: () => string;
}

let stopper: Stopper | null = null;
let received: StopSignal | null = null;
let installed = false;

function onSignal(signal: StopSignal): void {
  const code = SIGNAL_EXIT_CODES[signal];
  if (stopper !== null && received === null) {
    received = signal;
    stopper.stop(signal);
    return;
  }
  const why = received !== null ? `a second signal (${NAMES[signal]}): stopped at once` : `stopped by ${NAMES[signal]}`;
  const note = stopper?.onForcedExit?.() ?? "";
  process.stderr.write(`\ngated: ${why}${note ? `; ${note}` : ""}\n`);
  process.exit(code);
}

/** Installs the SIGINT and SIGTERM handlers (once). */
export function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));
}

/**
 * Lets `s` handle the first signal until the returned function is called. A signal that came
 * before (during start-up) has already ended the process.
 */
export function registerStopper(s: Stopper): () => void {
  stopper = s;
  return () => {
    if (stopper === s) stopper = null;
  };
}

/** The signal that asked the current work to stop, if any. */
export function receivedSignal(): StopSignal | null {
  return received;
}
