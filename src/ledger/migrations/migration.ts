/** One schema change, applied once and in `version` order; never edited once released. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}
