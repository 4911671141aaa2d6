/**
 * One way to answer a failure: `{ error: { code, message, details } }` with the code's
 * status. Ordo's own errors keep their code, zod's become VALIDATION naming the field,
 * Fastify's (bad JSON, body too large, unknown route) get stable codes, and anything else
 * is a 500 INTERNAL that shows nothing of the server's insides.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { OrdoError, isOrdoError, type ErrorCode } from '../shared/errors.js';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(async (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const ordoError = toOrdoError(error);
    if (ordoError.status >= 500) {
      request.log.error({ err: error, code: ordoError.code }, 'request failed');
    } else {
      request.log.info({ code: ordoError.code }, 'request refused');
    }
    if (ordoError.code === 'RATE_LIMITED') {
      const wait = ordoError.details?.retryAfterSeconds;
      if (typeof wait === 'number') void reply.header('retry-after', String(wait));
    }
    return reply.status(ordoError.status).send(errorBody(ordoError));
  });
}

export function errorBody(error: OrdoError): ErrorBody {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details ? { details: error.details } : {}),
    },
  };
}

export function toOrdoError(error: unknown): OrdoError {
  if (isOrdoError(error)) return error;
  if (error instanceof ZodError) return fromZod(error);
  const fastify = error as Partial<FastifyError>;
  const status = fastify.statusCode ?? 500;
  if (status < 500 && (fastify.code?.startsWith('FST_') || error instanceof SyntaxError)) {
    const code = fastifyCode(status, fastify.code ?? 'FST_ERR_CTP_INVALID_JSON_BODY');
    return new OrdoError(code, { message: fastify.message, cause: error });
  }
  return new OrdoError('INTERNAL', { cause: error });
}

function fastifyCode(status: number, code: string): ErrorCode {
  if (status === 413) return 'BODY_TOO_LARGE';
  if (status === 415) return 'MEDIA_TYPE_UNSUPPORTED';
  if (status === 404) return 'NOT_FOUND';
  // Body parsing (bad or empty JSON, wrong length); anything else Fastify refuses is bad input.
  if (code.startsWith('FST_ERR_CTP_')) return 'BODY_UNREADABLE';
  return 'VALIDATION';
}

function fromZod(error: ZodError): OrdoError {
  const issues = error.issues.map((issue) => ({
    field: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  const first = issues[0];
  return new OrdoError('VALIDATION', {
    message: first ? `${first.field || 'body'}: ${first.message}` : undefined,
    details: { field: first?.field ?? '', issues },
    cause: error,
  });
}
