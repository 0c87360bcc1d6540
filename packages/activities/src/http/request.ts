import { ServiceUnavailableError } from '../clients';

export interface ServiceOptions {
  /** e.g. http://127.0.0.1:4010 */
  readonly baseUrl: string;
  /** Sent as `Authorization: Bearer …` when set. */
  readonly apiKey?: string;
  /** How long one call may take before it counts as failed (and is retried by Temporal); default 10 s. */
  readonly timeoutMs?: number;
}

export interface ServiceAnswer {
  readonly status: number;
  readonly body: unknown;
  /** The error a service put in its `{ error: { code, message } }` body, if any. */
  readonly error?: { readonly code?: string; readonly message?: string };
}

/**
 * POSTs JSON with the idempotency key in the `Idempotency-Key` header and returns whatever the service answered.
 * Not reaching it at all — refused, reset, timed out — is ServiceUnavailableError: Temporal retries it.
 */
export async function postJson(
  service: string,
  options: ServiceOptions,
  path: string,
  idempotencyKey: string,
  payload: unknown,
): Promise<ServiceAnswer> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  let response: Response;
  try {
    response = await fetch(new URL(path, options.baseUrl), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': idempotencyKey,
        ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
      },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const reason =
      error instanceof Error && error.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : String(error);
    throw new ServiceUnavailableError(`${service} unreachable (${reason})`);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  const error = (body as { error?: ServiceAnswer['error'] } | undefined)?.error;
  return { status: response.status, body, ...(error ? { error } : {}) };
}
