/**
 * An error whose message is meant for the user as is (bad name, network down, size mismatch):
 * the CLI prints it without a stack trace. Anything else is a bug and keeps its stack.
 */
export class DataError extends Error {
  override name = 'DataError';
}

/** The message of any thrown value. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
