/** The parts of a tRPC error a screen shows: its message, its HTTP status and the per-field errors of a form. */
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

export function isClientError(error: unknown): boolean {
  const status = httpStatusOf(error);
  return status !== undefined && status >= 400 && status < 500;
}
