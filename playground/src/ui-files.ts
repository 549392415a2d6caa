/**
 * Page side: files. A drop zone (and a file chooser) for CSV data and one for model files, whose
 * bytes go to the worker to be read; downloads of the worker's model as a gated file or as ONNX.
 */
import { $ } from "./dom.js";

export interface PickedFile { readonly name: string; readonly bytes: Uint8Array }

/** Calls `take` with the files dropped on `zoneId` or chosen with `inputId`. */
export function dropZone(zoneId: string, inputId: string, take: (files: PickedFile[]) => void): void {
  const zone = $(zoneId), input = $<HTMLInputElement>(inputId);
  const read = async (list: FileList | null) => {
    if (!list || list.length === 0) return;
    take(await Promise.all(Array.from(list, async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) }))));
  };
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => { e.preventDefault(); zone.classList.remove("over"); void read(e.dataTransfer?.files ?? null); });
  input.addEventListener("change", () => { void read(input.files); input.value = ""; });
}

/** Offers bytes as a download (an object URL on an <a download>; nothing leaves the page). */
export function saveBytes(name: string, bytes: Uint8Array): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: "application/octet-stream" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
