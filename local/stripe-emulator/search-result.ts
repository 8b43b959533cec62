import { z } from 'zod';
import { form } from './form-schema';
import { stripeErrors } from './stripe-error';

/** The parameters every Stripe search endpoint takes. */
export const searchShape = {
  query: z.string().min(1, 'must not be empty'),
  limit: form.int().pipe(z.int().min(1).max(100)).optional(),
  page: form.string().optional(),
  expand: form.expand(),
};

/**
 * A Stripe search result, newest first: `{ object: 'search_result', data, has_more,
 * next_page }`, paged by the opaque `page` cursor of the previous answer. Unlike Stripe's
 * search, which can lag writes by up to a minute, the emulator's is up to date at once.
 */
export function searchResult<T>(
  url: string,
  items: readonly T[],
  page: { limit?: number; page?: string },
  render: (item: T) => unknown,
): {
  object: 'search_result';
  url: string;
  has_more: boolean;
  data: unknown[];
  next_page: string | null;
} {
  const limit = page.limit ?? 10;
  const start = page.page === undefined ? 0 : offsetOf(page.page);
  const newestFirst = [...items].reverse();
  const data = newestFirst.slice(start, start + limit);
  const hasMore = newestFirst.length > start + limit;
  return {
    object: 'search_result',
    url,
    has_more: hasMore,
    data: data.map(render),
    next_page: hasMore ? cursor(start + limit) : null,
  };
}

function cursor(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

function offsetOf(page: string): number {
  const match = /^offset:(\d+)$/.exec(Buffer.from(page, 'base64url').toString('utf8'));
  if (!match)
    throw stripeErrors.invalidParam('page', 'is not a page cursor from a previous search');
  return Number(match[1]);
}

/** In a list or search, `expand[]=data.latest_charge` expands each item's field. */
export function itemExpansions(expand: readonly string[] | undefined): string[] | undefined {
  return expand?.map((path) => {
    if (!path.startsWith('data.')) {
      throw stripeErrors.invalid(`This property cannot be expanded (${path}).`, {
        param: 'expand',
      });
    }
    return path.slice('data.'.length);
  });
}
