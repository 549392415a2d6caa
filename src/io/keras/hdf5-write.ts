/**
 * Writing a small HDF5 file in memory with h5wasm's write mode: groups (with string attributes)
 * and float32 datasets ("<f", little-endian IEEE single, contiguous), the subset Keras 3's
 * H5IOStore writes and h5py reads. Format facts relied on: groups are created one level at a
 * time (h5wasm does not create intermediate groups); the library stamps object times into the
 * file, so two writes of the same tree differ in bytes but not in content — compare datasets,
 * not files.
 */
import { h5Lib, scratchPath } from "./hdf5.js";

export interface H5Group { readonly path: string; readonly attrs?: Readonly<Record<string, string>> }
export interface H5Dataset { readonly path: string; readonly shape: readonly number[]; readonly data: ArrayLike<number> }

interface WGroup {
  get(name: string): unknown;
  keys(): string[];
  create_group(name: string): WGroup;
  create_attribute(name: string, value: string): void;
  create_dataset(args: { name: string; data: Float32Array; shape: number[]; dtype: string }): unknown;
}

/** The parent group of `path`, creating missing levels. */
function groupAt(root: WGroup, path: string): WGroup {
  let g = root;
  for (const part of path.split("/").filter(Boolean)) {
    g = g.keys().includes(part) ? (g.get(part) as WGroup) : g.create_group(part);
  }
  return g;
}

/** An HDF5 file holding the groups (in order, with their attributes) and the datasets. */
export async function writeH5(groups: readonly H5Group[], datasets: readonly H5Dataset[]): Promise<Uint8Array> {
  const { FS, File } = await h5Lib();
  const path = scratchPath();
  const file = new File(path, "w");
  try {
    const root = file as unknown as WGroup;
    for (const g of groups) {
      const group = groupAt(root, g.path);
      for (const [k, v] of Object.entries(g.attrs ?? {})) group.create_attribute(k, v);
    }
    for (const d of datasets) {
      const cut = d.path.lastIndexOf("/");
      const parent = groupAt(root, d.path.slice(0, Math.max(cut, 0)));
      parent.create_dataset({ name: d.path.slice(cut + 1), data: Float32Array.from(d.data), shape: [...d.shape], dtype: "<f" });
    }
  } finally {
    file.close();
  }
  try {
    return FS.readFile(path);
  } finally {
    FS.unlink(path);
  }
}
