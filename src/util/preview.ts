/**
 * Short, safe renderings of user values for error messages: a message quotes at most ~80
 * characters of what came, however large (a 5 MB cell) or deeply nested (100,000 levels of
 * arrays) the value is. Nothing here recurses on the value's depth.
 */

/** The most characters of a user value an error message quotes. */
export const PREVIEW_CHARS = 80;

/** `s` as a JSON string, cut to `max` characters with "…". */
export function quoteText(s: string, max = PREVIEW_CHARS): string {
  if (s.length <= max) return JSON.stringify(s);
  let cut = s.slice(0, max);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1); // never split a surrogate pair
  return JSON.stringify(cut + "…");
}

/**
 * A JSON-like rendering of `v` cut to about `max` characters with "…": arrays and objects are
 * walked with an explicit stack, and the walk stops as soon as the text is long enough.
 */
export function previewJson(v: unknown, max = PREVIEW_CHARS): string {
  let out = "";
  // each entry: a value still to render, or a literal piece of text (closing brackets, commas)
  const todo: ({ value: unknown } | { text: string })[] = [{ value: v }];
  while (todo.length > 0 && out.length <= max) {
    const item = todo.pop()!;
    if ("text" in item) { out += item.text; continue; }
    const x = item.value;
    if (Array.isArray(x) || (x !== null && typeof x === "object")) {
      const isArray = Array.isArray(x);
      const entries = isArray ? x : Object.entries(x as object);
      out += isArray ? "[" : "{";
      todo.push({ text: isArray ? "]" : "}" });
      // only as many entries as could still show
      const n = Math.min(entries.length, max - out.length + 1);
      if (n < entries.length) todo.push({ text: ",…" });
      for (let i = n - 1; i >= 0; i--) {
        if (isArray) todo.push({ value: entries[i] });
        else { const [k, val] = entries[i] as [string, unknown]; todo.push({ value: val }, { text: `${quoteText(k, max)}:` }); }
        if (i > 0) todo.push({ text: "," });
      }
    } else if (typeof x === "string") out += quoteText(x, max);
    else if (typeof x === "number" || typeof x === "boolean" || x === null) out += String(x);
    else out += typeof x;
  }
  if (out.length <= max && todo.length === 0) return out;
  return out.slice(0, max) + "…";
}
