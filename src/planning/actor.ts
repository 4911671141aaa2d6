import type { Group, User } from './types.js';

/** On whose behalf a change is made: a user (rights apply) or Ordo itself (imports, demo). */
export type Actor = { kind: 'user'; user: User; group: Group | null } | { kind: 'system' };

export const SYSTEM: Actor = { kind: 'system' };

/** Where a change came from: the e-mail rules differ for a planner's click and a sync. */
export type Origin = 'planning' | 'import' | 'sync' | 'demo';
