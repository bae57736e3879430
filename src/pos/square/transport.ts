/**
 * The `fetch` handed to the Square SDK. It is the one place that sees every HTTP attempt, so it
 * counts them (SDK retries would be included; we run the SDK with `maxRetries: 0`), applies our
 * per-attempt timeout, and checks that a 2xx body is JSON before the SDK sees it: SDK v46 resolves
 * a 2xx with a non-JSON body as if it were data (`{ok:false, error:{reason:"non-json"}}` parsed as
 * a response), which would read as "no counts" or "sale done". Failures are thrown as the two
 * classes below; the SDK wraps them in a `SquareError` whose `cause` we read back in calls.ts.
 */

/** A 2xx answer whose body is not JSON (or is empty, or not an object). */
export class UnreadableAnswer extends Error {
  constructor(
    readonly status: number,
    readonly bytes: number,
    detail = 'answer is not valid JSON',
  ) {
    super(`${detail} (${bytes} bytes, status ${status})`);
    this.name = 'UnreadableAnswer';
  }
}

/** No usable answer: timed out, connection refused or dropped. */
export class TransportFailure extends Error {
  constructor(
    readonly timedOut: boolean,
    /** False only when the request certainly never left (refused, unresolvable). */
    readonly afterSend: boolean,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransportFailure';
  }
}

// Refused or unresolvable: the request never reached Square, so even a write can be re-sent.
const BEFORE_SEND_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

function networkCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  return typeof cause?.code === 'string' ? cause.code : '';
}

export interface CountingFetch {
  fetch: typeof fetch;
  calls(): number;
}

export function countingFetch(base: typeof fetch, timeoutMs: number): CountingFetch {
  let count = 0;
  const wrapped = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    count += 1;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await base(input, { ...init, signal });
    } catch (error) {
      // A caller's own abort is passed through untouched: it is not a POS failure.
      if (init?.signal?.aborted) throw error;
      if (timeout.aborted) throw new TransportFailure(true, true, `no answer within ${timeoutMs} ms`, { cause: error });
      const code = networkCode(error);
      throw new TransportFailure(false, !BEFORE_SEND_CODES.has(code), `connection failed${code ? ` (${code})` : ''}`, { cause: error });
    }
    // Error statuses go to the SDK unchanged: it reads Square's `errors` body into a SquareError.
    if (response.status < 200 || response.status >= 300) return response;
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      if (init?.signal?.aborted) throw error;
      throw new TransportFailure(timeout.aborted, true, 'connection lost while reading the answer', { cause: error });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new UnreadableAnswer(response.status, Buffer.byteLength(text));
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new UnreadableAnswer(response.status, Buffer.byteLength(text), 'answer is not a JSON object');
    }
    return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
  return { fetch: wrapped as typeof fetch, calls: () => count };
}
