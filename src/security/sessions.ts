/**
 * Login sessions (a cookie) and API tokens (a bearer header for scripts). Only hashes of
 * the tokens are stored: the database alone does not let anyone in.
 */
import crypto from 'node:crypto';
import type { Clock } from '../shared/clock.js';
import { OrdoError } from '../shared/errors.js';
import type { Db } from '../store/schema.js';
import { hashToken, newToken } from './passwords.js';

const SESSION_MS = 14 * 24 * 3600 * 1000;

export interface ApiTokenInfo {
  id: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
}

export class Sessions {
  constructor(private readonly options: { db: Db; clock: Clock }) {}

  async open(userId: string): Promise<string> {
    const { token, hash } = newToken();
    const now = this.options.clock.now();
    await this.options.db
      .insertInto('sessions')
      .values({ id: hash, user_id: userId, created_at: now, expires_at: now + SESSION_MS })
      .execute();
    return token;
  }

  /** The user id of a live session, or `null`. */
  async userOf(token: string): Promise<string | null> {
    const row = await this.options.db
      .selectFrom('sessions')
      .select(['user_id', 'expires_at'])
      .where('id', '=', hashToken(token))
      .executeTakeFirst();
    if (!row || row.expires_at <= this.options.clock.now()) return null;
    return row.user_id;
  }

  async close(token: string): Promise<void> {
    await this.options.db.deleteFrom('sessions').where('id', '=', hashToken(token)).execute();
  }

  async createApiToken(userId: string, name: string): Promise<{ token: string; id: string }> {
    const { token, hash } = newToken();
    const id = crypto.randomUUID();
    await this.options.db
      .insertInto('api_tokens')
      .values({
        id,
        user_id: userId,
        name: name.slice(0, 200) || 'token',
        token_hash: hash,
        created_at: this.options.clock.now(),
        last_used_at: null,
        revoked_at: null,
      })
      .execute();
    return { token: `ordo_${token}`, id };
  }

  async userOfApiToken(token: string): Promise<string> {
    const raw = token.startsWith('ordo_') ? token.slice(5) : token;
    const row = await this.options.db
      .selectFrom('api_tokens')
      .select(['id', 'user_id', 'revoked_at'])
      .where('token_hash', '=', hashToken(raw))
      .executeTakeFirst();
    if (!row || row.revoked_at !== null) throw new OrdoError('TOKEN_INVALID');
    await this.options.db
      .updateTable('api_tokens')
      .set({ last_used_at: this.options.clock.now() })
      .where('id', '=', row.id)
      .execute();
    return row.user_id;
  }

  async listApiTokens(userId: string): Promise<ApiTokenInfo[]> {
    const rows = await this.options.db
      .selectFrom('api_tokens')
      .select(['id', 'name', 'created_at', 'last_used_at'])
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      createdAt: r.created_at,
      lastUsedAt: r.last_used_at,
    }));
  }

  async revokeApiToken(userId: string, id: string): Promise<void> {
    await this.options.db
      .updateTable('api_tokens')
      .set({ revoked_at: this.options.clock.now() })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .execute();
  }
}
