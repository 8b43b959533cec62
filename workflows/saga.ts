/**
 * The compensation stack shared by every order. A step registers how to undo itself
 * *before* it acts, so a failure in the middle of a step (an authorization Stripe made
 * but whose answer we never saw) is still undone. Compensations run in reverse order.
 */
export interface Compensation {
  name: string;
  run: () => Promise<void>;
}

export class Saga {
  private readonly stack: Compensation[] = [];

  /**
   * A step that ops retries registers its undo again before it acts again; the undo is
   * the same, so it stays registered once, in its first place, and runs once.
   */
  register(name: string, run: () => Promise<void>): void {
    if (this.stack.some((compensation) => compensation.name === name)) return;
    this.stack.push({ name, run });
  }

  /**
   * Drops every registered undo: past a point of no return (a refund given), what was
   * done stays done, and a later abort must not try to take it back.
   */
  forget(): void {
    this.stack.length = 0;
  }

  /** Runs every compensation, newest first; `runOne` decides how hard to try each. */
  async compensate(runOne: (compensation: Compensation) => Promise<void>): Promise<void> {
    while (this.stack.length > 0) {
      const next = this.stack[this.stack.length - 1];
      await runOne(next);
      this.stack.pop();
    }
  }
}

/**
 * Runs every compensation once, newest first, and only then insists on those that failed
 * (`runUntilDone` parks them for ops): one undo that cannot finish, such as a portal
 * service that is down, never keeps the licenses granted or the card held meanwhile.
 * Compensations are independent of each other, so their order matters only for the first pass.
 */
export async function compensateIndependently(
  saga: Saga,
  tryOnce: (compensation: Compensation) => Promise<boolean>,
  runUntilDone: (compensation: Compensation) => Promise<void>,
): Promise<void> {
  const stuck: Compensation[] = [];
  await saga.compensate(async (compensation) => {
    if (!(await tryOnce(compensation))) stuck.push(compensation);
  });
  for (const compensation of stuck) await runUntilDone(compensation);
}
