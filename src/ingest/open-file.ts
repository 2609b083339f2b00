// Opening a log file without ever waiting on it: a path that names a FIFO or a device (planted, or a transcript path
// a tool was handed) would block a plain open until a writer comes, and with it the process that reads.
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';

export class NotAFileError extends Error {
  readonly code = 'ENOTREG';
}

/** Opens a regular file for reading (O_NONBLOCK: a FIFO opens at once, and is then refused). */
export function openRegularFile(path: string): number {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new NotAFileError(`${path} is not a regular file`);
    return fd;
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** A regular file's whole content. */
export function readRegularFile(path: string): Buffer {
  const fd = openRegularFile(path);
  try {
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}
