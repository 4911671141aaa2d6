/**
 * The OpenAPI 3.1 document at /api/openapi.json, built from the routes as Fastify
 * registers them: every route under /api/ and /feeds/ appears, described by the `doc` of
 * its config (summary and the zod schemas it parses, converted by zod's own toJSONSchema).
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { z } from 'zod';
import type { RouteDoc } from './types.js';

export interface RegisteredRoute {
  method: string;
  url: string;
  doc: RouteDoc | undefined;
  public: boolean;
}

/** Records routes as they are added; install before any route plugin is registered. */
export function collectRoutes(app: FastifyInstance): RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!/^\/(api|feeds)\//.test(route.url)) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const config = (route.config ?? {}) as { doc?: RouteDoc; public?: boolean };
    for (const method of methods) {
      // Fastify adds a HEAD route beside every GET; it needs no entry of its own.
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      routes.push({ method, url: route.url, doc: config.doc, public: config.public === true });
    }
  });
  return routes;
}

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const out = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  delete out.$schema;
  return out;
}

function queryParameters(schema: z.ZodType) {
  const json = jsonSchema(schema) as {
    properties?: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    schema: property,
  }));
}

function operation(route: RegisteredRoute) {
  const doc = route.doc;
  const pathParameters = [...route.url.matchAll(/:(\w+)/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const status = String(doc?.status ?? 200);
  const success =
    status === '204'
      ? { description: 'Done' }
      : {
          description: 'Success',
          content: { [doc?.responseContentType ?? 'application/json']: { schema: {} } },
        };
  return {
    summary: doc?.summary ?? '',
    tags: doc?.tags,
    security: route.public ? [] : [{ session: [] }, { token: [] }],
    parameters: [...pathParameters, ...(doc?.query ? queryParameters(doc.query) : [])],
    ...(doc?.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(doc.body) } },
          },
        }
      : doc?.bodyContentType
        ? {
            requestBody: {
              required: true,
              content: { [doc.bodyContentType]: { schema: { type: 'string' } } },
            },
          }
        : {}),
    responses: {
      [status]: success,
      default: {
        description: 'An error, with its stable code',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    },
  };
}

export function openApiDocument(routes: readonly RegisteredRoute[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:(\w+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Ordo',
      version: '1',
      description:
        'Resource planning. Log in with POST /api/session (cookie) or send an API token ' +
        'as `Authorization: Bearer ordo_...`. Changes made with the cookie need the ' +
        'header `X-Ordo-CSRF: 1` or a JSON body.',
    },
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'ordo_session' },
        token: { type: 'http', scheme: 'bearer' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string' },
                message: { type: 'string' },
                details: { type: 'object' },
              },
            },
          },
        },
      },
    },
    paths,
  };
}
