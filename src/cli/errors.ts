/** An error the user can fix (bad arguments, unusable input): printed without a stack trace, exit code 1. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UserError";
  }
}
