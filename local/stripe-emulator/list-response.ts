import { z } from 'zod';
import { form } from './form-schema';
import { stripeErrors } from './stripe-error';

/** The paging parameters every Stripe list endpoint takes. */
export const listShape = {
  limit: form.int().pipe(z.int().min(1).max(100)).optional(),
  starting_after: form.string().optional(),
  ending_before: form.string().optional(),
  expand: form.expand(),
};

/**
 * A Stripe list, newest first, paged by object id: `{ object: 'list', data, has_more }`.
 * `items` come oldest first, as they were created.
 */
export function listResponse<T extends { id: string }>(
  url: string,
  items: readonly T[],
  page: { limit?: number; starting_after?: string; ending_before?: string },
): { object: 'list'; url: string; has_more: boolean; data: T[] } {
  const limit = page.limit ?? 10;
  let newestFirst = [...items].reverse();
  if (page.starting_after !== undefined) {
    newestFirst = newestFirst.slice(
      indexOf(newestFirst, page.starting_after, 'starting_after') + 1,
    );
  } else if (page.ending_before !== undefined) {
    newestFirst = newestFirst.slice(0, indexOf(newestFirst, page.ending_before, 'ending_before'));
    newestFirst = newestFirst.slice(-limit);
  }
  return {
    object: 'list',
    url,
    has_more: newestFirst.length > limit,
    data: newestFirst.slice(0, limit),
  };
}

function indexOf(items: readonly { id: string }[], id: string, param: string): number {
  const index = items.findIndex((item) => item.id === id);
  if (index < 0) throw stripeErrors.noSuch('object', id, param);
  return index;
}
