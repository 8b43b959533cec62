/** A moment as the console shows it: exact (UTC, in `<time datetime>`) and relative to now. */
export interface Instant {
  iso: string;
  text: string;
  relative: string;
}

export function instant(iso: string, now = Date.now()): Instant {
  const at = new Date(iso);
  return {
    iso: at.toISOString(),
    text: `${at.toISOString().slice(0, 19).replace('T', ' ')} UTC`,
    relative: relativeTime(at.getTime() - now),
  };
}

export function optionalInstant(iso: string | null | undefined, now = Date.now()) {
  return iso ? instant(iso, now) : undefined;
}

function relativeTime(deltaMs: number): string {
  const seconds = Math.round(Math.abs(deltaMs) / 1000);
  const span =
    seconds < 60
      ? `${seconds} s`
      : seconds < 3600
        ? `${Math.floor(seconds / 60)} min`
        : seconds < 172_800
          ? `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`
          : `${Math.floor(seconds / 86_400)} days`;
  return deltaMs < 0 ? `${span} ago` : `in ${span}`;
}

/** Amounts are integer minor units of their currency (see src/catalog/pricing.ts). */
export function money(amount: { currency: string; total: number } | undefined): string {
  if (!amount) return 'not priced yet';
  const format = new Intl.NumberFormat('en', { style: 'currency', currency: amount.currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amount.total / 10 ** digits);
}

export const yesNo = (value: boolean) => (value ? 'yes' : 'no');
