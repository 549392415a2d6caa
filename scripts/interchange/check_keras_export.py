"""Real Keras reads gated's .keras exports: for each test/fixtures/interchange/keras/export/<name>/,
keras.saving.load_model("m.keras") (written by scripts/interchange/make_gated_keras.ts), predicts
on input.json, and writes keras_output.json (Keras's outputs, versions). The test
(test/io/keras-real.test.ts) re-exports model.safetensors, checks that config.json and every
weight equal what Keras was given here, and compares gated's outputs with these.

  node --import tsx scripts/interchange/make_gated_keras.ts
  KERAS_BACKEND=tensorflow ~/.cache/gated-venv/bin/python scripts/interchange/check_keras_export.py
"""
import json
import os
import warnings

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
warnings.filterwarnings("ignore")

import io  # noqa: E402
import zipfile  # noqa: E402

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "interchange", "keras", "export")


def check_all_loaded(model, path):
    """Every Keras variable holds one of the archive's datasets (none left at its initial value)."""
    with zipfile.ZipFile(path) as z, h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as f:
        stored = []
        f.visititems(lambda _n, o: stored.append(o[()]) if isinstance(o, h5py.Dataset) else None)
    assert len(stored) == len(model.weights), f"{path}: {len(stored)} datasets for {len(model.weights)} variables"
    for w in model.weights:
        v = np.asarray(w.numpy())
        assert any(s.shape == v.shape and np.array_equal(s, v) for s in stored), f"{path}: {w.path} was not loaded"


def main():
    for name in sorted(os.listdir(ROOT)):
        d = os.path.join(ROOT, name)
        if not os.path.isdir(d):
            continue
        with open(os.path.join(d, "input.json")) as f:
            inp = json.load(f)
        x = np.array(inp["input"], dtype=np.int32 if inp["inputKind"] == "tokens" else np.float32)
        model = keras.saving.load_model(os.path.join(d, "m.keras"), compile=False)
        check_all_loaded(model, os.path.join(d, "m.keras"))
        y = model.predict(x, verbose=0)
        out = {
            "output": y.tolist(), "outputShape": list(y.shape),
            "layers": [type(l).__name__ for l in model.layers],
            "source": f"keras {keras.__version__} ({keras.backend.backend()} {tf.__version__}) load_model + predict",
            "script": "scripts/interchange/check_keras_export.py",
        }
        with open(os.path.join(d, "keras_output.json"), "w") as f:
            json.dump(out, f, indent=1)
            f.write("\n")
        print(f"{name}: {out['layers']} -> {out['outputShape']}")


if __name__ == "__main__":
    main()
