import { catalogSchema, type Catalog } from './catalog-schema';
import { referenceIssues } from './catalog-references';
import { InvalidCatalogError } from './errors';
import { formatIssuePath } from './issue-path';

/**
 * Validates catalog data (shape first, then cross-references) and returns it typed.
 * Throws InvalidCatalogError listing every problem, each naming its entry.
 */
export function parseCatalog(data: unknown): Catalog {
  const parsed = catalogSchema.safeParse(data);
  if (!parsed.success) {
    throw new InvalidCatalogError(
      parsed.error.issues.map((i) => `${formatIssuePath('catalog', data, i.path)}: ${i.message}`),
    );
  }
  const issues = referenceIssues(parsed.data);
  if (issues.length > 0) throw new InvalidCatalogError(issues);
  return parsed.data;
}
