"""Makes the WAV fixtures of test/fixtures/audio and records librosa's features of them.

Run:  ~/.cache/gated-venv/bin/python scripts/audio/check_features.py
(venv: ~/.cache/gated-venv/bin/pip install librosa soundfile scipy; recorded with librosa 0.11.0,
soundfile 0.14.0, numpy float64 throughout; seed 20261206).

Each file is decoded by soundfile (float64), mixed down by librosa.to_mono, and its features are
computed by librosa at the file's own rate:
  log-mel  librosa.power_to_db(librosa.feature.melspectrogram(..., center=True, pad_mode="constant",
           dtype=float64), ref=1, amin=1e-10, top_db=None)
  mfcc     librosa.feature.mfcc(S=log-mel, n_mfcc, dct_type=2, norm="ortho")
  deltas   librosa.feature.delta(mfcc, width=9, order=1 / 2)  (mode "interp")
The resampler is recorded against soxr_hq (librosa.resample's default) on one file.
Frames are written time-major [T, F] to match gated.
"""
import json
import os

import librosa
import numpy as np
import soundfile as sf

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "audio")
rng = np.random.default_rng(20261206)


def chirp(sr, dur, f0, f1):
    t = np.arange(int(sr * dur)) / sr
    k = (f1 - f0) / dur
    return 0.6 * np.sin(2 * np.pi * (f0 * t + 0.5 * k * t * t))


def burst(sr, dur, f):
    t = np.arange(int(sr * dur)) / sr
    env = ((t > 0.1 * dur) & (t < 0.6 * dur)).astype(float) * np.hanning(len(t))
    return 0.8 * env * np.sin(2 * np.pi * f * t)


def noise(sr, dur):
    return np.clip(0.3 * rng.standard_normal(int(sr * dur)), -0.99, 0.99)


# name, signal (channels last), rate, soundfile subtype, feature options (gated names)
FILES = [
    ("chirp-16k-pcm16-mono.wav", chirp(16000, 0.5, 100, 6000), 16000, "PCM_16",
     dict(nFft=512, winLength=400, hop=160, window="hann", nMels=40, fmin=0, fmax=8000, melScale="slaney", power=2, nMfcc=13)),
    ("burst-8k-pcm8-mono.wav", burst(8000, 0.4, 440), 8000, "PCM_U8",
     dict(nFft=256, winLength=200, hop=80, window="hamming", nMels=23, fmin=20, fmax=3800, melScale="htk", power=2, nMfcc=13)),
    ("noise-44k-pcm24-stereo.wav", np.stack([noise(44100, 0.2), noise(44100, 0.2)], 1), 44100, "PCM_24",
     dict(nFft=2048, winLength=2048, hop=512, window="hann", nMels=64, fmin=20, fmax=8000, melScale="slaney", power=1, nMfcc=20)),
    ("chirp-16k-float-stereo.wav", np.stack([chirp(16000, 0.3, 300, 3000), burst(16000, 0.3, 1000)], 1), 16000, "FLOAT",
     dict(nFft=512, winLength=512, hop=128, window="hann", nMels=40, fmin=0, fmax=8000, melScale="slaney", power=2, nMfcc=13)),
    ("burst-16k-pcm32-mono.wav", burst(16000, 0.3, 2500), 16000, "PCM_32",
     dict(nFft=512, winLength=400, hop=160, window="hann", nMels=40, fmin=0, fmax=8000, melScale="slaney", power=2, nMfcc=13)),
]


def rnd(a, digits):
    """Rounds to `digits` significant digits (9 hold a float32 exactly) to keep the JSON small."""
    return [float(f"{v:.{digits}g}") for v in np.asarray(a, dtype=np.float64).reshape(-1)]


def features(y, sr, o):
    mel = librosa.feature.melspectrogram(
        y=y, sr=sr, n_fft=o["nFft"], hop_length=o["hop"], win_length=o["winLength"], window=o["window"],
        center=True, pad_mode="constant", power=float(o["power"]), n_mels=o["nMels"], fmin=o["fmin"],
        fmax=o["fmax"], htk=o["melScale"] == "htk", norm="slaney", dtype=np.float64)
    logmel = librosa.power_to_db(mel, ref=1.0, amin=1e-10, top_db=None)
    mfcc = librosa.feature.mfcc(S=logmel, n_mfcc=o["nMfcc"], dct_type=2, norm="ortho")
    d1 = librosa.feature.delta(mfcc, width=9, order=1)
    d2 = librosa.feature.delta(mfcc, width=9, order=2)
    tm = lambda a: rnd(a.T.reshape(-1), 9)
    return dict(frames=int(logmel.shape[1]), logMel=tm(logmel), mfcc=tm(mfcc),
                mfccDeltas=tm(np.concatenate([mfcc, d1, d2], 0)))


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = []
    for name, sig, sr, subtype, o in FILES:
        path = os.path.join(OUT, name)
        sf.write(path, sig, sr, subtype=subtype)
        data, rate = sf.read(path, dtype="float64", always_2d=True)
        y = librosa.to_mono(data.T) if data.shape[1] > 1 else data[:, 0]
        cases.append(dict(file=name, sampleRate=rate, channels=int(data.shape[1]), length=int(data.shape[0]),
                          subtype=subtype, head=data[:16].reshape(-1).tolist(), monoHead=y[:16].tolist(),
                          options=o, **features(y, rate, o)))
    # resampling reference: the 8 kHz burst to 16 kHz, and the 44.1 kHz noise (mono) to 16 kHz
    rs = []
    for name, to in [("burst-8k-pcm8-mono.wav", 16000), ("noise-44k-pcm24-stereo.wav", 16000)]:
        data, rate = sf.read(os.path.join(OUT, name), dtype="float64", always_2d=True)
        y = librosa.to_mono(data.T) if data.shape[1] > 1 else data[:, 0]
        rs.append(dict(file=name, to=to, soxr=rnd(librosa.resample(y, orig_sr=rate, target_sr=to, res_type="soxr_hq"), 7)))
    meta = dict(librosa=librosa.__version__, numpy=np.__version__, soundfile=sf.__version__, seed=20261206)
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(dict(meta=meta, cases=cases, resample=rs), f)
    print("wrote", len(cases), "cases to", os.path.join(OUT, "expected.json"))


if __name__ == "__main__":
    main()
