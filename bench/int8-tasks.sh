#!/bin/bash
# int8 on the built-in tasks: trains a model on each (one thread), then `gated quantize` measures
# its test figure in float32 and int8 — on the native kernels, then on the WebAssembly kernels
# (GATED_NATIVE=off: the relaxed-SIMD build, 7-bit activations). About 3 minutes here.
#
# Usage: bash bench/int8-tasks.sh [folder for the models = .tmp/int8-tasks]
set -euo pipefail
cd "$(dirname "$0")/.."
G="node --import tsx src/cli/main.ts"
D=${1:-.tmp/int8-tasks}
mkdir -p "$D"
run() { # name, train options...
  local name=$1; shift
  echo "=== $name: gated train $*"
  $G train "$@" --out "$D/$name.safetensors" --quiet --no-report --threads 1 | tail -1
  echo "--- native kernels"
  $G quantize "$D/$name.safetensors" --out "$D/$name-int8.safetensors" --threads 1 | tail -2
  echo "--- WebAssembly kernels"
  GATED_NATIVE=off $G quantize "$D/$name.safetensors" --out "$D/$name-int8w.safetensors" --threads 1 | tail -2
}
run co2 --data co2 --cell gru
run births --data births --cell lstm --hidden 32 --epochs 20
run sentiment --data sentiment --cell gru --hidden 64 --epochs 5
run ecg --data ecg-rhythm --cell gru --hidden 64
run digits --data spoken-digits --cell lstm --hidden 64 --layers 2 --epochs 20
run phonemes --data phonemes --cell gru --hidden 64 --layers 2 --direction bidirectional --epochs 30
