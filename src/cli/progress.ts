// A progress bar on stderr for a cold index, shown only on a terminal and only once indexing has taken a second.
export function progressBar(stream: NodeJS.WriteStream = process.stderr, delayMs = 1000) {
  const start = Date.now();
  let shown = false;
  let last = 0;
  return {
    update(done: number, total: number) {
      if (!stream.isTTY || total <= 0) return;
      const now = Date.now();
      if (now - start < delayMs || (now - last < 100 && done < total)) return;
      last = now;
      shown = true;
      const width = 30;
      const frac = Math.min(done / total, 1);
      const full = Math.round(frac * width);
      const mb = (n: number) => (n / 1048576).toFixed(0);
      stream.write(`\r\x1b[2KIndexing ${'█'.repeat(full)}${'░'.repeat(width - full)} ${(frac * 100).toFixed(0)}% ${mb(done)}/${mb(total)} MB`);
    },
    done() {
      if (shown) stream.write('\r\x1b[2K');
    },
  };
}
