import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Typed search attributes that every order workflow keeps current, so ops can list
 * orders by state ("which purchases need attention?") from Temporal's visibility
 * store instead of a table of our own. The dev server registers them at start.
 */
export const ORDER_STATE = defineSearchAttributeKey('OrderState', SearchAttributeType.KEYWORD);
export const ORDER_KIND = defineSearchAttributeKey('OrderKind', SearchAttributeType.KEYWORD);
export const TENANT_ID = defineSearchAttributeKey('TenantId', SearchAttributeType.KEYWORD);
export const NEEDS_ATTENTION = defineSearchAttributeKey('NeedsAttention', SearchAttributeType.BOOL);

export const SEARCH_ATTRIBUTES = [ORDER_STATE, ORDER_KIND, TENANT_ID, NEEDS_ATTENTION];
