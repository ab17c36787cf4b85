import { STATUS_CODES, type ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyServerOptions } from 'fastify';
import type { Config } from '../config.js';
import { ERRORS, type ErrorCode } from './errors.js';

type HttpLimitOptions = Pick<FastifyServerOptions, 'bodyLimit' | 'requestTimeout' | 'connectionTimeout' | 'keepAliveTimeout' | 'clientErrorHandler'> & { http: ServerOptions };

/**
 * Time and size bounds of the HTTP server, so that no client can hold a connection or memory open by
 * sending slowly (issue "no single event that can stall the rest": 1,000 slow-body requests used to
 * stay open for ever, Fastify's `requestTimeout` being 0).
 *
 * - `requestTimeout` (HTTP_REQUEST_TIMEOUT_MS): headers and body must all arrive within it, else 408.
 *   Node checks it every `connectionsCheckingInterval` (30 s by default, which would let a 30 s
 *   timeout run to a minute): here a quarter of the timeout, at most a second.
 *   It ends when the request is complete, so a slow handler is not cut, and it does not apply to a
 *   WebSocket: Node hands an upgraded socket over and stops tracking it (tests/integration/resource-limits.test.ts).
 * - `connectionTimeout`: a socket with no traffic either way for 60 s (or twice the request timeout)
 *   is closed, e.g. a client that stopped reading a response. ws sets it to 0 on an upgraded socket.
 * - `keepAliveTimeout`: Fastify's 72 s, longer than the 60 s idle timeout of common load balancers,
 *   so the balancer, not the service, closes an idle connection and never reuses a closed one.
 * - `bodyLimit` (HTTP_BODY_LIMIT_BYTES): a larger body gets 413 `payload_too_large` (plugins/errors.ts).
 */
export function httpLimits(config: Pick<Config, 'HTTP_REQUEST_TIMEOUT_MS' | 'HTTP_BODY_LIMIT_BYTES'>): HttpLimitOptions {
  const requestTimeout = config.HTTP_REQUEST_TIMEOUT_MS;
  return {
    bodyLimit: config.HTTP_BODY_LIMIT_BYTES,
    requestTimeout,
    connectionTimeout: Math.max(60_000, 2 * requestTimeout),
    keepAliveTimeout: 72_000,
    http: {
      requestTimeout,
      // Headers count against requestTimeout too; Node's default of 60 s would outlast it.
      headersTimeout: requestTimeout,
      connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.floor(requestTimeout / 4))),
    },
    clientErrorHandler,
  };
}

/**
 * Fastify's default answer to a broken or too slow request, in the contract's error shape
 * (`{error: code, message}`): 408 `request_timeout`, 431 `headers_too_large`, else 400 `bad_request`.
 * Nothing is written once a response has begun on the socket, as Node itself does.
 */
function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const code: ErrorCode = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'request_timeout' : err.code === 'HPE_HEADER_OVERFLOW' ? 'headers_too_large' : 'bad_request';
  const { status, message } = ERRORS[code];
  const started = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
  if (socket.writable && !started) {
    const body = JSON.stringify({ error: code, message });
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }
  socket.destroy(err);
}
