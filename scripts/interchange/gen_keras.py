"""Real Keras 3 fixtures for gated's Keras importer: test/fixtures/interchange/keras/<name>/.

Each model is built by Keras itself (TensorFlow backend), given seeded random weights (biases
included, so a zero bias cannot hide a layout mistake), and saved the three ways Keras users save:
  m.keras       model.save("m.keras")   zip: config.json, metadata.json, model.weights.h5
  m.h5          model.save("m.h5")      legacy HDF5: root attrs model_config (JSON), keras_version,
                                        backend; weights under model_weights/<layer name>/...
  m.weights.h5  model.save_weights()    Keras 3 H5 layout (as in .keras), no architecture
plus model.json (model.to_json(), the config a weights.h5 is imported with) and expected.json
(inputs, Keras's model.predict outputs, versions, seed).

  KERAS_BACKEND=tensorflow ~/.cache/gated-venv/bin/python scripts/interchange/gen_keras.py

Deterministic: the values (weights, inputs, outputs) are the same on every run; the .keras zips
carry a save date in metadata.json, so their bytes differ between runs.
"""
import json
import os
import shutil
import sys
import warnings

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers as L  # noqa: E402
import tensorflow as tf  # noqa: E402
import h5py  # noqa: E402

SEED = 20250301
I, H, T, B = 3, 4, 5, 2
VOCAB = 7
ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "interchange", "keras")


def seq(*layers):
    return keras.Sequential([keras.Input((T, I)), *layers])


# name -> (builder, input kind, lengths for a masked batch or None)
MODELS = {
    "gru_reset_after_seq": (lambda: seq(L.GRU(H, return_sequences=True)), "features", None),
    "gru_reset_before_last": (lambda: seq(L.GRU(H, reset_after=False)), "features", None),
    "lstm_stack_dense": (lambda: seq(L.LSTM(H, return_sequences=True), L.LSTM(H), L.Dense(2)), "features", None),
    "simple_rnn_tanh_seq": (lambda: seq(L.SimpleRNN(H, return_sequences=True)), "features", None),
    "simple_rnn_relu_last": (lambda: seq(L.SimpleRNN(H, activation="relu")), "features", None),
    "bidi_gru_concat_dense": (lambda: seq(L.Bidirectional(L.GRU(H, return_sequences=True), merge_mode="concat"), L.Dense(2)), "features", None),
    "bidi_lstm_last": (lambda: seq(L.Bidirectional(L.LSTM(H)), L.Dense(1)), "features", None),
    "embedding_gru_softmax": (lambda: keras.Sequential([keras.Input((T,), dtype="int32"), L.Embedding(VOCAB, I), L.GRU(H), L.Dense(3, activation="softmax")]), "tokens", None),
    "gru_hard_sigmoid_last": (lambda: seq(L.GRU(H, recurrent_activation="hard_sigmoid")), "features", None),
    "gru_go_backwards_last": (lambda: seq(L.GRU(H, go_backwards=True)), "features", None),
    "gru_no_bias_seq": (lambda: seq(L.GRU(H, use_bias=False, return_sequences=True)), "features", None),
    "masking_gru_last": (lambda: seq(L.Masking(0.0), L.GRU(H)), "features", [T, 3]),
    "gru_layer_norm_dense": (lambda: seq(L.GRU(H, return_sequences=True), L.LayerNormalization(), L.Dense(2, activation="tanh")), "features", None),
}


def seeded_weights(model, rng):
    """Every variable replaced by uniform(-0.6, 0.6) values (LayerNorm gamma around 1)."""
    for w in model.weights:
        v = rng.uniform(-0.6, 0.6, size=tuple(w.shape)).astype(np.float32)
        if w.path.endswith("gamma"):
            v = 1.0 + 0.5 * v
        w.assign(v)


def inputs(kind, lengths, rng):
    if kind == "tokens":
        return rng.integers(1, VOCAB, size=(B, T)).astype(np.int32)
    x = rng.uniform(-1, 1, size=(B, T, I)).astype(np.float32)
    if lengths is not None:
        for b, n in enumerate(lengths):
            x[b, n:, :] = 0.0  # trailing padding, the mask value
    return x


def legacy_h5(model, path):
    """model.save("m.h5"): Keras 3 routes a .h5 name to its legacy HDF5 writer."""
    model.save(path)
    with h5py.File(path, "r") as f:
        assert "model_config" in f.attrs and "model_weights" in f, f"{path}: not a legacy full-model file"


def build(name, builder, kind, lengths, rng):
    keras.backend.clear_session()  # layer names gru, gru_1 ... restart for every model
    keras.utils.set_random_seed(SEED)
    model = builder()
    seeded_weights(model, rng)
    x = inputs(kind, lengths, rng)
    y = model.predict(x, verbose=0)
    out = os.path.join(ROOT, name)
    os.makedirs(out, exist_ok=True)
    model.save(os.path.join(out, "m.keras"))
    legacy_h5(model, os.path.join(out, "m.h5"))
    model.save_weights(os.path.join(out, "m.weights.h5"))
    with open(os.path.join(out, "model.json"), "w") as f:
        f.write(model.to_json())
    # the saved files give the same outputs when Keras reads them back
    for f in ("m.keras", "m.h5"):
        back = keras.saving.load_model(os.path.join(out, f), compile=False)
        assert np.array_equal(back.predict(x, verbose=0), y), f"{name}/{f}: Keras does not read back its own outputs"
    expected = {
        "input": x.tolist(), "inputKind": kind, "lengths": lengths, "output": y.tolist(), "outputShape": list(y.shape),
        "source": f"keras {keras.__version__} ({keras.backend.backend()} {tf.__version__}) model.predict",
        "seed": SEED, "script": "scripts/interchange/gen_keras.py",
        "layers": [type(l).__name__ for l in model.layers],
    }
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    return sum(os.path.getsize(os.path.join(out, p)) for p in os.listdir(out))


def main():
    only = set(sys.argv[1:])
    for k, (name, (builder, kind, lengths)) in enumerate(MODELS.items()):
        if only and name not in only:
            continue
        rng = np.random.default_rng([SEED, k])  # one stream per model: any subset rebuilds the same values
        print(f"{name}: {build(name, builder, kind, lengths, rng)} bytes")


if __name__ == "__main__":
    main()
