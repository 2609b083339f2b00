/** A mistake in what the user asked for (a flag, a config file): said in one line, exit status 2. */
export class UsageError extends Error {}

/** What a failed file operation means, in words (the errno code alone says little to most people). */
export function fileProblem(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const words: Record<string, string> = {
    ENOENT: 'no such file', EACCES: 'permission denied', EPERM: 'not permitted', EISDIR: 'a folder, not a file', ENOTDIR: 'a path through something that is not a folder',
  };
  return err.code ? `${words[err.code] ?? 'cannot read it'} (${err.code})` : err.message;
}
