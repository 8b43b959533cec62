import { initialSchema } from './0001-initial-schema';
import type { Migration } from './migration';

/** Every migration, in the order they apply. Append; never reorder or edit. */
export const migrations: readonly Migration[] = [initialSchema];
