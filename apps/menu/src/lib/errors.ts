/** The parts of a tRPC error a form shows: the message, and the per-field errors the API's formatter adds. */
export function errorMessage(error: unknown): string {
  if (error && typeof error === 'object' && 'message' in error && typeof error.message === 'string') {
    // fetch() failing outright (server down, offline) has no tRPC shape: say so plainly.
    if (error.message === 'Failed to fetch') return 'Cannot reach the server. Check your connection and try again.';
    return error.message;
  }
  return 'Something went wrong. Please try again.';
}

export function fieldErrorsOf(error: unknown): Record<string, string[]> {
  const data = (error as { data?: { fieldErrors?: Record<string, string[]> } } | null)?.data;
  return data?.fieldErrors ?? {};
}

export function httpStatusOf(error: unknown): number | undefined {
  return (error as { data?: { httpStatus?: number } } | null)?.data?.httpStatus;
}
