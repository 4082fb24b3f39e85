/** A one-line progress display on stderr (redrawn in a terminal, plain lines otherwise). */
export class Progress {
  private lastLength = 0;
  private lastPlainWrite = 0;
  constructor(private readonly enabled = true) {}

  update(message: string): void {
    if (!this.enabled) return;
    if (process.stderr.isTTY) {
      process.stderr.write(`\r${message.padEnd(this.lastLength)}`);
      this.lastLength = message.length;
    } else if (Date.now() - this.lastPlainWrite >= 2000) {
      // Not a terminal (CI logs): a line every two seconds is enough.
      this.lastPlainWrite = Date.now();
      process.stderr.write(`${message}\n`);
    }
  }

  done(message: string): void {
    if (!this.enabled) return;
    if (process.stderr.isTTY) process.stderr.write(`\r${message.padEnd(this.lastLength)}\n`);
    else process.stderr.write(`${message}\n`);
    this.lastLength = 0;
  }
}
