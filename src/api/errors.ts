/**
 * The one error mapper: every failure leaves the API as `{error, message, field?, details?}`.
 * Input problems (schema, engine, Fastify's own 4xx) name the field at fault (rule 10);
 * anything else is a 500 whose cause goes to the log only, with secrets redacted there too
 * (rule 9), and the client gets a request id to quote.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { EngineInputError } from '../engine/ports.ts';
import { redact, snakeKeys } from './convert.ts';
import type { ErrorBodyJson } from './schemas.ts';

const KIND: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  409: 'conflict',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  431: 'headers_too_large',
};

/**
 * An input error whose `error` code says more than its status can, e.g. `idempotency_key_reused`
 * for a 422 that has nothing to do with a POS item. Routes re-label engine errors with it.
 */
export class CodedInputError extends EngineInputError {
  constructor(
    readonly code: string,
    field: string,
    message: string,
    status: EngineInputError['status'],
    details?: Record<string, unknown>,
  ) {
    super(field, message, status, details);
    this.name = 'CodedInputError';
  }
}

/** What Ajv reports (only the parts we read). */
interface ValidationIssue {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

/** `/lines/0/qty` → `lines[0].qty`, the way people write a field. */
function pointerToField(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

function issueField(issue: ValidationIssue): string {
  const base = pointerToField(issue.instancePath);
  const child =
    issue.keyword === 'required' ? issue.params['missingProperty']
    : issue.keyword === 'additionalProperties' ? issue.params['additionalProperty']
    : undefined;
  if (typeof child === 'string') return base ? `${base}.${child}` : child;
  return base;
}

function issueText(issue: ValidationIssue): string {
  if (issue.keyword === 'const') return `must be ${JSON.stringify(issue.params['allowedValue'])}`;
  if (issue.keyword === 'required') return 'is required';
  if (issue.keyword === 'additionalProperties') return 'is not allowed';
  return issue.message ?? 'is invalid';
}

/** Turns Ajv's first failure (and its sibling anyOf branches) into one field and one sentence. */
export function describeValidation(issues: ValidationIssue[], context: string): { field: string; message: string } {
  const first = issues.find((i) => i.keyword !== 'anyOf') ?? issues[0];
  if (!first) return { field: context, message: `${context} is invalid` };
  const field = issueField(first) || context;
  // A union reports one failure per branch at the same place: say them together.
  const siblings = issues.filter(
    (i) => i.keyword !== 'anyOf' && i.instancePath === first.instancePath && issueField(i) === issueField(first),
  );
  const texts = siblings.every((i) => i.keyword === 'type')
    ? [`must be ${siblings.map((i) => String(i.params['type'])).join(' or ')}`]
    // A union of literals (an enum such as a sale state) reads best as one list.
    : siblings.length > 1 && siblings.every((i) => i.keyword === 'const')
      ? [`must be one of ${siblings.map((i) => JSON.stringify(i.params['allowedValue'])).join(', ')}`]
      : [...new Set(siblings.map(issueText))];
  const where = field === context ? context : `${context}/${field}`;
  return { field, message: `${where} ${texts.join(' or ')}` };
}

/** The JSON answer and status for any error thrown or passed to `reply.send`. */
export function mapError(err: unknown, requestId: string): { status: number; body: ErrorBodyJson; internal: boolean } {
  if (err instanceof EngineInputError) {
    const error = err instanceof CodedInputError ? err.code : KIND[err.status] ?? 'bad_request';
    const body: ErrorBodyJson = { error, message: redact(err.message), field: err.field };
    if (err.details && Object.keys(err.details).length > 0) body.details = snakeKeys(err.details) as Record<string, unknown>;
    return { status: err.status, body, internal: false };
  }
  const fe = err as Partial<FastifyError> & { validation?: ValidationIssue[] };
  if (Array.isArray(fe.validation)) {
    const { field, message } = describeValidation(fe.validation, fe.validationContext ?? 'body');
    return { status: 400, body: { error: 'bad_request', message, field }, internal: false };
  }
  // Fastify's own client errors (bad JSON, wrong media type, body too large) carry safe texts; any
  // other error's statusCode is not trusted, since a POS SDK error may carry a 401 and a token.
  const status = fe.statusCode ?? 500;
  if (typeof fe.code === 'string' && fe.code.startsWith('FST_') && status >= 400 && status < 500) {
    const body: ErrorBodyJson = { error: KIND[status] ?? 'bad_request', message: fe.message ?? 'Bad request' };
    if (fe.code.startsWith('FST_ERR_CTP_')) body.field = 'body';
    return { status, body, internal: false };
  }
  return { status: 500, body: { error: 'internal', message: 'Internal error', request_id: requestId }, internal: true };
}

function logSafe(err: unknown) {
  if (err instanceof Error) {
    return { type: err.name, message: redact(err.message), stack: err.stack ? redact(err.stack) : undefined };
  }
  return { type: typeof err, message: redact(String(err)) };
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body, internal } = mapError(err, request.id);
    if (internal) request.log.error({ event: 'http.error', status, err: logSafe(err) }, `request failed: ${logSafe(err).message}`);
    else request.log.info({ event: 'http.refused', status, error: body.error, field: body.field }, body.message);
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler(notFound);
}

/** The 404 answer; scopes that check keys install it too, so their hooks run before it. */
export function notFound(request: FastifyRequest, reply: FastifyReply) {
  const path = request.url.split('?')[0] ?? request.url;
  const body: ErrorBodyJson = { error: 'not_found', message: `No route ${request.method} ${path}` };
  return reply.code(404).send(body);
}
