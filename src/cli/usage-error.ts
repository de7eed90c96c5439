/** A wrong flag or value: printed as one line, exit code 2, no stack. */
export class UsageError extends Error {}
