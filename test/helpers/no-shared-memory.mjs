// Preload (node --import): hides SharedArrayBuffer, as on a web page without cross-origin
// isolation, so the kernels load their unshared-memory build (test/kernels/unshared.test.ts).
delete globalThis.SharedArrayBuffer;
