/**
 * Renders a zod issue path against the raw data, naming array entries by their `key`
 * (`catalog.plans["sales-premium"].extends`, not `catalog.plans[3].extends`) so an error
 * points at the entry a person would search the data for.
 */
export function formatIssuePath(root: string, data: unknown, path: readonly PropertyKey[]): string {
  let text = root;
  let node: unknown = data;
  for (const segment of path) {
    const child: unknown = isIndexable(node) ? node[segment] : undefined;
    if (typeof segment === 'number') {
      const key = entryKey(child);
      text += key === undefined ? `[${segment}]` : `[${JSON.stringify(key)}]`;
    } else if (typeof segment === 'string' && /^[A-Za-z_$][\w$]*$/.test(segment)) {
      text += `.${segment}`;
    } else {
      text += `[${JSON.stringify(String(segment))}]`;
    }
    node = child;
  }
  return text;
}

function isIndexable(value: unknown): value is Record<PropertyKey, unknown> {
  return typeof value === 'object' && value !== null;
}

function entryKey(value: unknown): string | undefined {
  return isIndexable(value) && typeof value.key === 'string' ? value.key : undefined;
}
