/**
 * A live status on stderr (stdout is for results): on a terminal one line rewritten in place a few
 * times a second, otherwise a plain line every `everyMs` (logs and CI keep a readable history).
 */
export function liveStatus(render: () => string, everyMs: number, stream: NodeJS.WriteStream = process.stderr): { stop(): void } {
  const tty = stream.isTTY === true;
  const write = () => stream.write(tty ? `\r${render()}\x1b[K` : `${render()}\n`);
  const timer = everyMs > 0 || tty ? setInterval(write, tty ? 250 : everyMs) : undefined;
  return {
    stop() {
      clearInterval(timer);
      if (tty) stream.write(`\r${render()}\x1b[K\n`);
    },
  };
}
