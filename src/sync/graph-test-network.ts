/**
 * For tests: Ordo configured as for Microsoft's cloud but with https addresses of its own
 * (MSAL refuses http authorities, and the settings take https only), and a fetch that sends
 * those addresses to the local Graph and identity stand-in. Nothing else differs from
 * production.
 */
import type { Ordo } from '../app/ordo.js';
import { createFetchNetworkClient } from './graph/auth.js';
import type { GraphStandIn } from './graph/graph-stand-in.js';
import type { GraphNetwork } from './graph-connection.js';

export const TEST_LOGIN_ORIGIN = 'https://login.ordo.test';
export const TEST_GRAPH_BASE_URL = 'https://graph.ordo.test/v1.0';
export const TEST_CLIENT_ID = '6731de76-14a6-49ae-97bc-6eba6914391e';
export const TEST_TENANT = 'contoso.example';

/** The settings an administrator would set, pointing at the test addresses. */
export const TEST_GRAPH_SETTINGS = {
  'graph.clientId': TEST_CLIENT_ID,
  'graph.tenant': TEST_TENANT,
  'graph.authorityHost': TEST_LOGIN_ORIGIN,
  'graph.baseUrl': TEST_GRAPH_BASE_URL,
} as const;

export async function configureTestGraph(ordo: Ordo): Promise<void> {
  for (const [key, value] of Object.entries(TEST_GRAPH_SETTINGS)) {
    await ordo.settings.setFromText(key, value);
  }
}

/** A fetch that maps the test addresses onto the stand-in and leaves the others alone. */
export function standInFetch(standIn: GraphStandIn, base: typeof fetch = fetch): typeof fetch {
  const map = (url: string) =>
    url.replace(TEST_GRAPH_BASE_URL, standIn.graphUrl).replace(TEST_LOGIN_ORIGIN, standIn.url);
  return (input, init) => {
    if (input instanceof Request) return base(new Request(map(input.url), input), init);
    return base(map(input instanceof URL ? input.toString() : input), init);
  };
}

export function standInNetwork(standIn: GraphStandIn): GraphNetwork {
  const mapped = standInFetch(standIn);
  return { fetch: mapped, networkClient: createFetchNetworkClient({ fetch: mapped }) };
}
