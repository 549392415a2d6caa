#!/usr/bin/env python3
"""
gated's ONNX exports checked by the real Python tools: onnx.checker (full check, with shape
inference) and onnxruntime's Python package run each test/fixtures/interchange/onnx-export/<case>/
model.onnx (made by scripts/interchange/make-onnx-exports.ts) on its recorded input; the outputs
and versions go to expected.json, which test/io/onnx-export-python.test.ts compares with gated.

  node --import tsx scripts/interchange/make-onnx-exports.ts
  ~/.cache/gated-venv/bin/python scripts/interchange/check_onnx_exports.py
"""
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort

DIR = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "interchange", "onnx-export")

for name in sorted(os.listdir(DIR)):
    d = os.path.join(DIR, name)
    if not os.path.isdir(d):
        continue
    model = onnx.load(os.path.join(d, "model.onnx"))
    onnx.checker.check_model(model, full_check=True)
    inp = json.load(open(os.path.join(d, "input.json")))
    x = inp["input"]
    feeds = {"input": np.array(x["data"], dtype=np.int64 if x["dtype"] == "int64" else np.float32).reshape(x["shape"])}
    if inp["lengths"] is not None:
        feeds["lengths"] = np.array(inp["lengths"], dtype=np.int32)
    sess = ort.InferenceSession(os.path.join(d, "model.onnx"), providers=["CPUExecutionProvider"])
    (y,) = sess.run(["output"], feeds)
    json.dump({
        "checker": "onnx.checker.check_model(full_check=True) passed",
        "output": {"shape": list(y.shape), "data": [float(v) for v in y.reshape(-1)]},
        "versions": {"onnx": onnx.__version__, "onnxruntime": ort.__version__, "opset": [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")]},
    }, open(os.path.join(d, "expected.json"), "w"))
    print(f"{name}: checker ok, output {list(y.shape)}")
