import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';

/** Until per-operator credentials exist, the operator names itself: `X-Operator-Id`, else body `operatorId`. */
export function operatorIdOf(request: FastifyRequest): string {
  const header = request.headers['x-operator-id'];
  const fromHeader = Array.isArray(header) ? header[0] : header;
  const fromBody = (request.body as { operatorId?: unknown } | undefined)?.operatorId;
  const id = fromHeader ?? (typeof fromBody === 'string' ? fromBody : undefined);
  if (!id || !/^[A-Za-z0-9._@-]{1,64}$/.test(id)) throw new ApiError('operator_required');
  return id;
}
