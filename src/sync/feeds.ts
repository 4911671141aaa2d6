/**
 * Read-only iCalendar feeds (SPEC 4): one URL per resource that any calendar can subscribe
 * to. The URL carries an unguessable token (32 random bytes); only its SHA-256 is stored, so
 * the URL is shown once, when the feed is created. A revoked feed answers 404.
 *
 * Private tasks are published as busy time: "Privé" / "Private" (the company's language),
 * with their times and nothing else, because a feed URL is readable by whoever holds it.
 */
import crypto from 'node:crypto';

import type { Ordo } from '../app/ordo.js';
import { writeItemOf } from '../ical/export-service.js';
import type { WriteItem } from '../ical/types.js';
import { writeCalendar } from '../ical/write.js';
import { SYSTEM } from '../planning/actor.js';
import type { Task } from '../planning/types.js';
import { OrdoError } from '../shared/errors.js';
import './tables.js';

export interface Feed {
  id: string;
  resourceId: string;
  createdAt: number;
}

/** How far back a feed goes; calendars that subscribe rarely show older items. */
const FEED_PAST_MS = 92 * 24 * 3600_000;
const PRIVATE_LABEL = { fr: 'Privé', en: 'Private' } as const;

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

export class Feeds {
  constructor(private readonly ordo: Ordo) {}

  /** Creates a feed; the token is returned here only. */
  async create(input: {
    resourceId: string;
    createdBy: string | null;
  }): Promise<Feed & { token: string }> {
    await this.ordo.directory.getResource(input.resourceId);
    const token = crypto.randomBytes(32).toString('base64url');
    const feed = {
      id: crypto.randomUUID(),
      resourceId: input.resourceId,
      createdAt: this.ordo.clock.now(),
    };
    await this.ordo.store.db
      .insertInto('feeds')
      .values({
        id: feed.id,
        resource_id: feed.resourceId,
        token_hash: hashToken(token),
        created_by: input.createdBy,
        created_at: feed.createdAt,
        revoked_at: null,
      })
      .execute();
    return { ...feed, token };
  }

  /** Live feeds, of one resource or of all when `resourceId` is null. */
  async list(resourceId: string | null): Promise<Feed[]> {
    let query = this.ordo.store.db
      .selectFrom('feeds')
      .select(['id', 'resource_id', 'created_at'])
      .where('revoked_at', 'is', null);
    if (resourceId !== null) query = query.where('resource_id', '=', resourceId);
    const rows = await query.orderBy('created_at').execute();
    return rows.map((row) => ({
      id: row.id,
      resourceId: row.resource_id,
      createdAt: Number(row.created_at),
    }));
  }

  async get(id: string): Promise<Feed> {
    const row = await this.ordo.store.db
      .selectFrom('feeds')
      .select(['id', 'resource_id', 'created_at'])
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) throw new OrdoError('FEED_NOT_FOUND', { details: { id } });
    return { id: row.id, resourceId: row.resource_id, createdAt: Number(row.created_at) };
  }

  async revoke(id: string): Promise<void> {
    await this.get(id);
    await this.ordo.store.db
      .updateTable('feeds')
      .set({ revoked_at: this.ordo.clock.now() })
      .where('id', '=', id)
      .execute();
  }

  /** The calendar of the feed this token opens; `FEED_NOT_FOUND` for unknown or revoked ones. */
  async calendarOf(token: string): Promise<string> {
    const row = await this.ordo.store.db
      .selectFrom('feeds')
      .select('resource_id')
      .where('token_hash', '=', hashToken(token))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) throw new OrdoError('FEED_NOT_FOUND');
    return this.calendarOfResource(row.resource_id);
  }

  async calendarOfResource(resourceId: string): Promise<string> {
    const now = this.ordo.clock.now();
    const tasks = await this.ordo.tasks.list(SYSTEM, {
      from: now - FEED_PAST_MS,
      to: 8.64e15,
      resourceId,
    });
    const language = await this.ordo.settings.get('company.language');
    return writeCalendar({
      prodId: '-//Ordo//Planning feed//FR',
      method: 'PUBLISH',
      timeZone: await this.ordo.settings.get('company.timeZone'),
      items: tasks.map((task) =>
        feedItemOf(task, { now, privateLabel: PRIVATE_LABEL[language === 'en' ? 'en' : 'fr'] }),
      ),
    });
  }
}

function feedItemOf(task: Task, options: { now: number; privateLabel: string }): WriteItem {
  const item = writeItemOf(task, options.now);
  if (!task.private) return item;
  return {
    ...item,
    label: options.privateLabel,
    remark: '',
    location: '',
    categories: [],
    reminder: { kind: 'none' },
  };
}
