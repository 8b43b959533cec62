/**
 * Stripe's request encoding: `application/x-www-form-urlencoded` with brackets for
 * nesting, `metadata[plan]=premium`, and for arrays either `expand[]=a` or the indexed
 * `expand[0]=a` the SDK sends. The same syntax is used in query strings.
 */
export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormParams = { [key: string]: FormValue };

export class FormSyntaxError extends Error {
  constructor(readonly param: string) {
    super(`Invalid parameter: ${param}`);
  }
}

interface Container {
  array: boolean;
  entries: Map<string, string | Container>;
}

export function parseFormParams(text: string): FormParams {
  const root: Container = { array: false, entries: new Map() };
  for (const [name, value] of new URLSearchParams(text)) {
    assign(root, keyPath(name), value, name);
  }
  return finish(root) as FormParams;
}

/** `a[b][0]` → `['a', 'b', '0']`; `a[]` → `['a', '']`. */
function keyPath(name: string): string[] {
  const open = name.indexOf('[');
  if (open <= 0) {
    if (open === 0) throw new FormSyntaxError(name);
    return [name];
  }
  const path = [name.slice(0, open)];
  const rest = name.slice(open);
  const segment = /\[([^[\]]*)\]/gy;
  let consumed = 0;
  for (let match = segment.exec(rest); match; match = segment.exec(rest)) {
    path.push(match[1] ?? '');
    consumed = segment.lastIndex;
  }
  if (consumed !== rest.length) throw new FormSyntaxError(name);
  return path;
}

function assign(container: Container, path: string[], value: string, name: string): void {
  const [head, ...rest] = path;
  if (head === undefined) throw new FormSyntaxError(name);
  const key = head === '' && container.array ? String(container.entries.size) : head;
  if (rest.length === 0) {
    if (container.entries.has(key)) throw new FormSyntaxError(name);
    container.entries.set(key, value);
    return;
  }
  const next = rest[0];
  const wantsArray = next === '' || /^\d+$/.test(next ?? '');
  let child = container.entries.get(key);
  if (child === undefined) {
    child = { array: wantsArray, entries: new Map() };
    container.entries.set(key, child);
  }
  if (typeof child === 'string' || child.array !== wantsArray) throw new FormSyntaxError(name);
  assign(child, rest, value, name);
}

function finish(container: Container): FormValue {
  if (container.array) {
    return [...container.entries.entries()]
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([, value]) => (typeof value === 'string' ? value : finish(value)));
  }
  // fromEntries defines own properties, so a key like `__proto__` stays a plain key.
  return Object.fromEntries(
    [...container.entries].map(([key, value]) => [
      key,
      typeof value === 'string' ? value : finish(value),
    ]),
  );
}
