/** The benches' command-line flags: `--name value`, each value checked where it is read. */

/** The value after `name`, or undefined when the flag is absent. */
export function flag(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
}

/** A whole number of at least `min` after `name` (`fallback` when absent); else an error naming the flag. */
export function wholeNumberFlag(name: string, fallback: number, min: number, what: string): number {
  const value = Number(flag(name) ?? fallback);
  if (!Number.isInteger(value) || value < min) {
    const bound = min === 0 ? '0 or more' : `at least ${min}`;
    throw new Error(`${name}: expected a whole number of ${what}, ${bound}, after it`);
  }
  return value;
}
