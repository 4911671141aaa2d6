/**
 * What the HTTP layer adds to Fastify's types: the logged-in user on each request, and the
 * per-route configuration (public routes, OpenAPI description) every route plugin uses.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { z } from 'zod';
import type { Ordo } from '../app/ordo.js';
import type { Actor } from '../planning/actor.js';
import type { User } from '../planning/types.js';

/** How a route is described in /api/openapi.json; the schemas are the ones the route parses. */
export interface RouteDoc {
  summary: string;
  tags?: string[];
  body?: z.ZodType;
  query?: z.ZodType;
  /** The status of a successful answer: 200 when absent. */
  status?: number;
  /** The body's content type when it is not JSON (an .ics upload). */
  bodyContentType?: string;
  /** The answer's content type when it is not JSON. */
  responseContentType?: string;
}

export type AuthMethod = 'session' | 'token';

declare module 'fastify' {
  interface FastifyRequest {
    /** The logged-in user, or null; set before any handler runs. */
    ordoUser: User | null;
    ordoActor: Actor | null;
    ordoAuth: AuthMethod | null;
  }
  interface FastifyContextConfig {
    /** Under /api/, reachable without logging in. */
    public?: boolean;
    doc?: RouteDoc;
  }
  interface FastifyInstance {
    ordo: Ordo;
  }
}

/** A capability's routes: a Fastify plugin given the composition root. */
export type OrdoPlugin = FastifyPluginAsync<{ ordo: Ordo }>;
