import type { z } from 'zod';

/**
 * The dotted path of the field a zod issue is about (`settings.tenantDomain`), so that
 * errors for bad input name the field. An unknown key is named itself, not its parent.
 */
export function issueField(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path.push(issue.keys[0]);
  return path.length > 0 ? path.join('.') : 'body';
}

export function describeIssue(issue: z.core.$ZodIssue): string {
  return `${issueField(issue)}: ${issue.message}`;
}
