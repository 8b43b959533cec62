/** Activities that do nothing: what remains is Temporal's own cost per step. */
export const baselineActivities = {
  async noop(_step: string): Promise<void> {},
};
export type BaselineActivities = typeof baselineActivities;
