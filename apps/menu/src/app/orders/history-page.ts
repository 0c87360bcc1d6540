/** One page of the order history: shared by the server's first render and the client's query, so both use one key. */
export const HISTORY_PAGE = { limit: 10 } as const;
