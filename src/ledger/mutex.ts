/**
 * A promise queue: each `run` starts after the previous one settled. PGlite has one
 * connection, so two callers interleaving statements would share a transaction.
 */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(() => fn());
    this.tail = result.catch(() => undefined);
    return result;
  }
}
