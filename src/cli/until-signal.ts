/** Resolves on SIGINT or SIGTERM (or when `done` settles first): a long-running command's end. */
export function untilSignal(done?: Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    void done?.then(stop, stop);
  });
}
