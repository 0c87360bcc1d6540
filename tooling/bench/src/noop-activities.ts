/** The ceiling's activities: they return at once, so only the server's and the SDK's own work is left. */
export const noopActivities = {
  charge: (): Promise<void> => Promise.resolve(),
  notify: (_kind: string): Promise<void> => Promise.resolve(),
};

export type NoopActivities = typeof noopActivities;
