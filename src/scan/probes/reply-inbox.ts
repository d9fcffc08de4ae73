// What a probe's connection delivered, in arrival order, and a wait for the next item with a
// deadline: the DCE/RPC client (PDUs) and the SMB client (NetBIOS messages) both read replies this way.

/** A protocol-level failure of one probe (timeout, reset, garbage): goes to the host's error list. */
export class ProbeError extends Error {}

export class ReplyInbox<T> {
  private readonly items: T[] = [];
  private waiter: (() => void) | undefined;
  private closed = false;
  private failure: string | undefined;

  /** @param noun what the peer sends back, for the errors ("reply", "answer") */
  constructor(private readonly noun: string, private readonly timeoutMs: number) {}

  push(item: T): void {
    this.items.push(item);
    this.wake();
  }

  /** The connection ended: waiting stops once what arrived is read. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  /** The stream is not what the probe speaks (the first message is kept): waiting stops at once. */
  fail(why: string): void {
    this.failure ??= why;
    this.wake();
  }

  /** The next item; a ProbeError when the stream failed, closed, or stayed silent past the timeout. */
  async next(): Promise<T> {
    const until = Date.now() + this.timeoutMs;
    for (;;) {
      if (this.items.length > 0) return this.items.shift()!;
      if (this.failure) throw new ProbeError(this.failure);
      if (this.closed) throw new ProbeError(`connection closed before the ${this.noun}`);
      const left = until - Date.now();
      if (left <= 0) throw new ProbeError(`no ${this.noun} within ${this.timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}
