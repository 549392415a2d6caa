/**
 * Escaping of user text for XML and HTML. Every string that came from a caller (titles, labels,
 * series names, table cells) passes through here before it is placed in markup, so a title such as
 * `a < b && c` stays text. Characters that XML forbids (control characters other than tab, newline
 * and carriage return) become U+FFFD so that the output always parses.
 */

const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Escapes text content: `&`, `<`, `>`. */
export function escapeText(s: string): string {
  return s.replace(FORBIDDEN, "\uFFFD").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Escapes an attribute value (for double- or single-quoted attributes). */
export function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}
