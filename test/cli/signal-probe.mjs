// Test-only preload (node --import): writes "signal-probe: SIGINT handler" to stderr the moment
// the command adds its first SIGINT listener, so a test can signal the child right after that.
let said = false;
process.on("newListener", (event) => {
  if (event !== "SIGINT" || said) return;
  said = true;
  process.stderr.write("signal-probe: SIGINT handler\n");
});
