export {
  createGraphAuth,
  createFetchNetworkClient,
  GRAPH_SCOPES,
  type AuthorizationStart,
  type DeviceCodePrompt,
  type FetchNetworkClientOptions,
  type GraphAccount,
  type GraphAuth,
  type GraphAuthOptions,
  type TokenStore,
} from './auth.js';
export { createGraphEventsProvider, type GraphEventsProviderOptions } from './events.js';
export { createGraphTodoProvider, type GraphTodoProviderOptions } from './todo.js';
export { createGraphProvider, type GraphProviderOptions } from './graph-provider.js';
export { GRAPH_BASE_URL, type GraphClientOptions, type GraphRetryOptions } from './graph-client.js';
export { createLimiter, mailboxLimiter, type Limiter } from './limiter.js';
