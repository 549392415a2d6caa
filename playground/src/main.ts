/**
 * The playground page: wires the form, the training workers (slot.ts), the learning charts
 * (ui-learning.ts), the gate view (ui-gates.ts) and files (ui-files.ts). gated itself runs only in
 * the workers; the page draws with gated's SVG charts. `?threads=0` keeps the workers on one thread.
 */
import { CELL_DOCS } from "./cells.js";
import { $, showError } from "./dom.js";
import type { FromWorker, TaskName, TrainConfig } from "./protocol.js";
import { Slot } from "./slot.js";
import { clearGates, redrawGates, renderGates, showStep } from "./ui-gates.js";
import { dropZone, saveBytes } from "./ui-files.js";
import { clearLoss, renderCompare, renderForecast, renderLoss } from "./ui-learning.js";

const TASKS: Record<TaskName, { steps: number; stepsLabel: string; note: string; loss: string }> = {
  co2: { steps: 24, stepsLabel: "Window (months)", loss: "mse (normalised units)", note: "Monthly CO₂ at Mauna Loa, 1958–2020 (Scripps CO2 Program, CC BY 4.0). Each window of past months predicts the next month." },
  "mackey-glass": { steps: 24, stepsLabel: "Window (steps)", loss: "mse (normalised units)", note: "The Mackey–Glass delay equation (τ = 17), a classic chaotic series, generated in the page." },
  csv: { steps: 24, stepsLabel: "Window (rows)", loss: "mse (normalised units)", note: "Your own series: numeric columns are the features and the targets; a text column (a date) labels the rows." },
  sentiment: { steps: 30, stepsLabel: "Longest sentence (words)", loss: "cross-entropy (nats)", note: "3000 review sentences (IMDB, Amazon, Yelp), each negative or positive (UCI, Kotzias et al. 2015)." },
  adding: { steps: 30, stepsLabel: "Sequence length", loss: "mse", note: "Each step holds a random value and a marker; the answer is the sum of the two marked values. Guessing 1 always gives a loss of 0.167." },
};

const params = new URLSearchParams(location.search);
const useThreads = params.get("threads") !== "0";
const slots: { A: Slot; B: Slot | null } = { A: new Slot("A", useThreads), B: null };
let csv: { text: string; fileName: string } | null = null;
let sentimentMissing: string | null = null;

const num = (id: string) => Number($<HTMLInputElement>(id).value);
const task = () => $<HTMLSelectElement>("task").value as TaskName;
const active = () => [slots.A, ...(slots.B ? [slots.B] : [])];

function equations(id: string, kind: string): void {
  const el = $(id), doc = CELL_DOCS[kind];
  el.hidden = !doc;
  if (!doc) return;
  el.innerHTML = `<b>${doc.title}</b> <span class="muted">(${doc.paper}; cell "${kind}")</span>`
    + doc.lines.map((l) => `<div class="eq">${l.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</div>`).join("");
}

function fillCells(): void {
  const a = $<HTMLSelectElement>("cell-a"), b = $<HTMLSelectElement>("cell-b");
  for (const [kind, doc] of Object.entries(CELL_DOCS)) {
    a.add(new Option(`${doc.title} (${kind})`, kind));
    b.add(new Option(`${doc.title} (${kind})`, kind));
  }
  a.value = "gru";
  a.addEventListener("change", () => equations("eq-a", a.value));
  b.addEventListener("change", () => equations("eq-b", b.value));
  equations("eq-a", "gru");
}

function onTask(): void {
  const t = task(), info = TASKS[t];
  $<HTMLInputElement>("steps").value = String(info.steps);
  $("steps-label").textContent = info.stepsLabel;
  $("csv-drop").hidden = t !== "csv";
  $("task-note").textContent = t === "sentiment" && sentimentMissing ? `Not available here: ${sentimentMissing}` : info.note;
}

function buttons(): void {
  const running = active().some((s) => s.running);
  $<HTMLButtonElement>("train").disabled = running;
  $<HTMLButtonElement>("stop").disabled = !running;
  $<HTMLButtonElement>("resume").disabled = running || !active().some((s) => s.resumable);
  const hasModel = slots.A.info !== null;
  for (const id of ["show-gates", "download-gated", "download-onnx"]) $<HTMLButtonElement>(id).disabled = !hasModel || running;
}

function progress(s: Slot, m: Extract<FromWorker, { type: "progress" }> | null, text?: string): void {
  const el = $(`progress-${s.name.toLowerCase()}`);
  el.hidden = false;
  if (m) {
    const done = (m.epoch - 1 + m.batch / m.batches) / m.epochs;
    (el.querySelector(".bar > div") as HTMLElement).style.width = `${(100 * done).toFixed(1)}%`;
    el.querySelector(".text")!.textContent = `${s.name} · ${s.cell}: epoch ${m.epoch} of ${m.epochs}, batch ${m.batch} of ${m.batches}, loss ${m.loss.toPrecision(4)}`;
  } else if (text !== undefined) el.querySelector(".text")!.textContent = text;
}

function summary(): void {
  const a = slots.A.info;
  $("model-summary").textContent = a ? `${a.source}\n\n${a.summary}${a.notes.length ? `\n\n${a.notes.join("\n")}` : ""}` : "No model yet.";
  $("gate-source").textContent = a ? `Input: ${a.sequenceSource}; ${a.sequences} sequences (0 … ${a.sequences - 1}).` : "";
  $<HTMLInputElement>("sequence").max = String(Math.max(0, (a?.sequences ?? 1) - 1));
}

function listen(s: Slot): void {
  s.listen((m) => {
    if (m.type === "progress") progress(s, m);
    else if (m.type === "epoch") { renderLoss(active(), TASKS[task()].loss); renderCompare(active()); }
    else if (m.type === "model") { renderCompare(active()); if (s.name === "A") summary(); }
    else if (m.type === "trained") {
      const last = s.history.at(-1);
      const n = s.history.length;
      progress(s, null, `${s.name} · ${s.cell}: ${m.interrupted ? "stopped" : "done"} after ${n} epoch${n === 1 ? "" : "s"}${last ? `, loss ${last.train.toPrecision(4)}` : ""}. ${m.interrupted ? "Resume continues it." : "Resume trains as many epochs again."}`);
      if (s.name === "A") { renderForecast(s); summary(); }
      renderCompare(active());
    } else if (m.type === "failed" && m.during !== "gates") { showError(`${s.name}: ${m.message}`); progress(s, null, `${s.name}: failed`); }
    buttons();
  });
}

function config(cell: string): TrainConfig {
  const t = task();
  return {
    task: { name: t, steps: num("steps"), ...(t === "csv" && csv ? { csv } : {}) }, cell,
    units: num("units"), layers: num("layers"), epochs: num("epochs"), batchSize: num("batch"), lr: num("lr"), seed: 1,
  };
}

function train(): void {
  showError(null);
  if (task() === "csv" && !csv) { showError("Drop a CSV file first (or pick another task)."); return; }
  if (task() === "sentiment" && sentimentMissing) { showError(`Sentiment is not available here: ${sentimentMissing}`); return; }
  const cellB = $<HTMLSelectElement>("cell-b").value;
  if (cellB && !slots.B) { slots.B = new Slot("B", useThreads); listen(slots.B); }
  if (!cellB && slots.B) { slots.B.terminate(); slots.B = null; $("progress-b").hidden = true; }
  const chosen = $<HTMLSelectElement>("gate-model");
  chosen.innerHTML = "";
  for (const s of active()) {
    s.cell = s.name === "A" ? $<HTMLSelectElement>("cell-a").value : cellB;
    s.history = [];
    s.running = true;
    s.resumable = false;
    s.send({ type: "train", config: config(s.cell) });
    chosen.add(new Option(`${s.name}: ${s.cell}`, s.name.toLowerCase()));
    progress(s, null, `${s.name} · ${s.cell}: loading the data…`);
  }
  clearGates("");
  clearLoss();
  buttons();
}

async function gates(): Promise<void> {
  const s = $<HTMLSelectElement>("gate-model").value === "b" && slots.B ? slots.B : slots.A;
  try {
    showError(null);
    renderGates(await s.ask({ type: "gates", sequence: num("sequence") }));
  } catch (e) { showError(`gates: ${(e as Error).message}`); }
}

async function download(format: "gated" | "onnx"): Promise<void> {
  try {
    const f = await slots.A.ask<Extract<FromWorker, { type: "file" }>>({ type: "download", format });
    saveBytes(f.name, f.bytes);
  } catch (e) { showError(`download: ${(e as Error).message}`); }
}

async function loadModel(files: { name: string; bytes: Uint8Array }[]): Promise<void> {
  showError(null);
  $("model-summary").textContent = `Reading ${files.map((f) => f.name).join(", ")}…`;
  try {
    const m = await slots.A.ask<Extract<FromWorker, { type: "loaded" }>>({ type: "load", files }, files.map((f) => f.bytes.buffer as ArrayBuffer));
    slots.A.cell = m.model.cells.join(" + ");
    slots.A.history = [];
    slots.A.forecast = null;
    slots.A.test = "";
    const chosen = $<HTMLSelectElement>("gate-model");
    chosen.innerHTML = "";
    chosen.add(new Option(`A: ${slots.A.cell} (loaded)`, "a"));
    summary();
    renderCompare(active());
    buttons();
    await gates();
  } catch (e) {
    $("model-summary").textContent = "No model loaded.";
    showError(`${files.map((f) => f.name).join(", ")}: ${(e as Error).message}`);
  }
}

async function start(): Promise<void> {
  fillCells();
  listen(slots.A);
  $("task").addEventListener("change", onTask);
  $("train").addEventListener("click", train);
  $("stop").addEventListener("click", () => { for (const s of active()) if (s.running) s.send({ type: "stop" }); });
  $("resume").addEventListener("click", () => {
    for (const s of active()) if (s.resumable) { s.running = true; s.send({ type: "resume", epochs: num("epochs") }); }
    buttons();
  });
  $("show-gates").addEventListener("click", () => void gates());
  $("time").addEventListener("input", () => showStep(num("time")));
  $("download-gated").addEventListener("click", () => void download("gated"));
  $("download-onnx").addEventListener("click", () => void download("onnx"));
  dropZone("csv-drop", "csv-file", (files) => {
    const f = files[0]!;
    csv = { text: new TextDecoder().decode(f.bytes), fileName: f.name };
    $("csv-name").textContent = ` · ${f.name} (${f.bytes.length.toLocaleString("en")} bytes)`;
  });
  dropZone("model-drop", "model-file", (files) => void loadModel(files));
  let resizing = 0, width = window.innerWidth;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = window.setTimeout(() => {
      if (window.innerWidth === width) return;
      width = window.innerWidth;
      renderLoss(active(), TASKS[task()].loss);
      renderForecast(slots.A);
      redrawGates();
    }, 150);
  });
  onTask();
  const probe = await fetch("data/sentiment.json", { method: "HEAD" }).catch(() => null);
  if (!probe?.ok) {
    sentimentMissing = "this build has no sentiment sentences (install the sentiment package, then npm run playground:build)";
    const opt = $<HTMLSelectElement>("task").querySelector<HTMLOptionElement>('option[value="sentiment"]')!;
    opt.textContent += " — not available in this build";
    onTask();
  }
  try {
    const r = await slots.A.ready;
    $("engine").textContent = `Kernels: ${r.backend} · ${r.threads}${crossOriginIsolated ? " · cross-origin isolated" : ""}`;
    document.body.dataset["ready"] = "true";
  } catch (e) { showError(`The training worker could not start: ${(e as Error).message}`); }
  buttons();
}

void start();
