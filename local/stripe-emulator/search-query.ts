import { stripeErrors } from './stripe-error';

/**
 * The part of Stripe's search query language (https://docs.stripe.com/search) that
 * finding a payment by its business ids needs: clauses `field:value`, optionally negated
 * with `-`, joined all by `AND` or all by `OR`; fields `metadata['key']`, `status`,
 * `customer`, `currency` (exact match, case-insensitive, as Stripe's `:` is) and `amount`
 * (also `>`, `<`, `>=`, `<=`). Anything else is refused with a 400 naming `query`.
 */
export type SearchClause =
  | { negated: boolean; kind: 'text'; field: TextField; value: string }
  | { negated: boolean; kind: 'metadata'; key: string; value: string }
  | { negated: boolean; kind: 'amount'; operator: AmountOperator; value: number };

const TEXT_FIELDS = ['status', 'customer', 'currency'] as const;
type TextField = (typeof TEXT_FIELDS)[number];
type AmountOperator = ':' | '>=' | '<=' | '>' | '<';

export interface SearchQuery {
  join: 'AND' | 'OR';
  clauses: SearchClause[];
}

/** Stripe allows at most ten clauses in one query. */
const MAX_CLAUSES = 10;

const CLAUSE =
  /^\s*(-?)(?:metadata\[(?:'([^']*)'|"([^"]*)")\]|([a-z_]+))\s*(>=|<=|:|>|<)\s*(?:'([^']*)'|"([^"]*)"|(-?\d+))\s*/;
const CONNECTOR = /^(AND|OR)\s+/;

export function parseSearchQuery(query: string): SearchQuery {
  const clauses: SearchClause[] = [];
  const joins = new Set<'AND' | 'OR'>();
  let rest = query.trim();
  if (rest === '') throw unsupported('the query is empty');
  for (;;) {
    const match = CLAUSE.exec(rest);
    if (!match) throw unsupported(`cannot read the clause at "${rest.slice(0, 40)}"`);
    clauses.push(clauseOf(match));
    rest = rest.slice(match[0].length);
    if (rest === '') break;
    const connector = CONNECTOR.exec(rest);
    if (!connector) throw unsupported(`expected AND or OR at "${rest.slice(0, 40)}"`);
    joins.add(connector[1] as 'AND' | 'OR');
    rest = rest.slice(connector[0].length);
  }
  if (joins.size > 1) throw unsupported('AND and OR cannot be mixed in one query');
  if (clauses.length > MAX_CLAUSES) throw unsupported(`at most ${MAX_CLAUSES} clauses`);
  return { join: joins.has('OR') ? 'OR' : 'AND', clauses };
}

function clauseOf(match: RegExpExecArray): SearchClause {
  const [, minus, singleKey, doubleKey, field, operator = ':', single, double, number] = match;
  const negated = minus === '-';
  const quoted = single ?? double;
  const metadataKey = singleKey ?? doubleKey;
  if (metadataKey !== undefined) {
    if (operator !== ':' || quoted === undefined) {
      throw unsupported(`metadata['${metadataKey}'] takes only :'value'`);
    }
    return { negated, kind: 'metadata', key: metadataKey, value: quoted };
  }
  if (field === 'amount') {
    const value = Number(quoted ?? number);
    if (!Number.isInteger(value)) throw unsupported('amount takes an integer');
    return { negated, kind: 'amount', operator: operator as AmountOperator, value };
  }
  if (isTextField(field)) {
    if (operator !== ':' || quoted === undefined) {
      throw unsupported(`${field} takes only :'value'`);
    }
    return { negated, kind: 'text', field, value: quoted };
  }
  throw unsupported(
    `the field ${String(field)} is not searchable here (use metadata['key'], status, customer, currency or amount)`,
  );
}

function isTextField(field: string | undefined): field is TextField {
  return (TEXT_FIELDS as readonly (string | undefined)[]).includes(field);
}

export interface Searchable {
  status: string;
  customer: string | null;
  currency: string;
  amount: number;
  metadata: Record<string, string>;
}

export function matchesSearch(object: Searchable, query: SearchQuery): boolean {
  const results = query.clauses.map((clause) => matchesClause(object, clause) !== clause.negated);
  return query.join === 'AND' ? results.every(Boolean) : results.some(Boolean);
}

function matchesClause(object: Searchable, clause: SearchClause): boolean {
  switch (clause.kind) {
    case 'metadata':
      return sameText(object.metadata[clause.key], clause.value);
    case 'text':
      return sameText(object[clause.field], clause.value);
    case 'amount':
      return compare(object.amount, clause.operator, clause.value);
  }
}

function sameText(actual: string | null | undefined, expected: string): boolean {
  return typeof actual === 'string' && actual.toLowerCase() === expected.toLowerCase();
}

function compare(actual: number, operator: AmountOperator, expected: number): boolean {
  switch (operator) {
    case ':':
      return actual === expected;
    case '>':
      return actual > expected;
    case '<':
      return actual < expected;
    case '>=':
      return actual >= expected;
    case '<=':
      return actual <= expected;
  }
}

function unsupported(reason: string) {
  return stripeErrors.invalid(
    `Unsupported search query: ${reason}. The emulator supports clauses field:'value' joined by AND or OR.`,
    { code: 'parameter_invalid', param: 'query' },
  );
}
