// Test-only preload (node --import): writes "signal-probe: SIGINT handler" to stderr once the
// command has added its first SIGINT listener — after the synchronous code that added it has
// finished (a microtask), so the SIGTERM listener installed beside it is in place too and a test
// can signal the child right after the line, SIGINT or SIGTERM, without a race.
let said = false;
process.on("newListener", (event) => {
  if (event !== "SIGINT" || said) return;
  said = true;
  queueMicrotask(() => process.stderr.write("signal-probe: SIGINT handler\n"));
});
