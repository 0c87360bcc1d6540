/** One page of a driver's list: shared by the server's first render and the client's query, so both use one key. */
export const LIST_PAGE = { limit: 20 } as const;
