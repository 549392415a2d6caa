#!/usr/bin/env bash
# The Python side of the interchange fixtures: a venv with the real tools (PyTorch CPU, both ONNX
# exporters, ONNX Runtime, Keras 3 on TensorFlow). Not needed by CI or npm test: only to regenerate
# test/fixtures/interchange (scripts/interchange/gen-fixtures.py). Idempotent.
#   bash scripts/interchange/setup-venv.sh            # venv in $GATED_VENV or ~/.cache/gated-venv
set -euo pipefail
venv="${GATED_VENV:-$HOME/.cache/gated-venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --retries 0 --quiet \
  "torch==2.13.*" onnx onnxruntime onnxscript safetensors "keras==3.*" tensorflow-cpu h5py numpy
"$venv/bin/python" - <<'PY'
import torch, onnx, onnxruntime, keras, tensorflow, h5py
print("torch", torch.__version__, "onnx", onnx.__version__, "ort", onnxruntime.__version__,
      "keras", keras.__version__, "tf", tensorflow.__version__, "h5py", h5py.__version__)
PY
echo "$venv"
