/**
 * Errors of the command line. A UserError is one the user can fix (bad arguments, unusable input):
 * printed without a stack trace, exit code 1. So is a file-system failure (a full disk, a
 * read-only file system, a missing folder, a folder named where a file was wanted): one line
 * naming the path and the cause.
 */
import { fsCause } from "../node/files.js";

export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UserError";
  }
}

/** What each system call was doing, for the message. */
const VERBS: Record<string, string> = {
  open: "open", write: "write", read: "read", rename: "write", mkdir: "create the folder", fsync: "write",
  close: "write", copyfile: "copy", unlink: "remove", rmdir: "remove", scandir: "list", stat: "read",
};

/** Errno codes that come from the machine or the user's paths, never from a bug in gated. */
const USER_CODES = new Set(["ENOSPC", "EDQUOT", "EROFS", "EACCES", "EPERM", "ENOENT", "ENOTDIR", "EISDIR", "ENAMETOOLONG", "EEXIST", "EMFILE", "ENFILE", "EIO", "EFBIG", "ETXTBSY", "EBUSY"]);

/**
 * One line for a Node file-system error (an errno error with a path, from a write or read the
 * command made directly): "cannot write out.html: the file system is read-only". null for any
 * other error.
 */
export function fileSystemMessage(e: unknown): string | null {
  const x = e as NodeJS.ErrnoException | null;
  if (!(x instanceof Error) || typeof x.code !== "string" || !USER_CODES.has(x.code) || typeof x.path !== "string") return null;
  const verb = VERBS[x.syscall ?? ""] ?? "use";
  return `cannot ${verb} ${x.path}: ${fsCause(x, x.path)}`;
}
