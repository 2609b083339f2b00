/** A mistake in what the user asked for (a flag, a config file): said in one line, exit status 2. */
export class UsageError extends Error {}
