/**
 * Unavailabilities: leave, sickness, training. They block a resource without being tasks
 * (never e-mailed, reminded or synchronized), and are seen and changed with the same
 * department access as the resource's tasks.
 */
import crypto from 'node:crypto';
import type { Selectable } from 'kysely';
import { OrdoError } from '../shared/errors.js';
import type { Db, UnavailabilitiesTable } from '../store/schema.js';
import type { Actor } from './actor.js';
import { accessTo, type RightsContext } from './rights.js';
import type { Unavailability } from './types.js';

export interface UnavailabilityInput {
  resourceId: string;
  start: number;
  end: number;
  reason: string;
}

export class Unavailabilities {
  private readonly newId: () => string;

  constructor(
    private readonly options: {
      db: Db;
      rightsFor: (actor: Actor) => Promise<RightsContext | null>;
      newId?: () => string;
    },
  ) {
    this.newId = options.newId ?? (() => crypto.randomUUID());
  }

  /** Unavailabilities overlapping the range that the actor may see, by start. */
  async list(
    actor: Actor,
    range: { from: number; to: number; resourceId?: string },
  ): Promise<Unavailability[]> {
    let q = this.options.db
      .selectFrom('unavailabilities')
      .selectAll()
      .where('end_at', '>', range.from)
      .where('start_at', '<', range.to);
    if (range.resourceId) q = q.where('resource_id', '=', range.resourceId);
    const rows = await q.orderBy('start_at').execute();
    const rights = await this.options.rightsFor(actor);
    return rows.map(fromRow).filter((u) => access(rights, u.resourceId) !== 'none');
  }

  async create(actor: Actor, input: UnavailabilityInput): Promise<Unavailability> {
    if (!(Number.isFinite(input.start) && Number.isFinite(input.end) && input.end > input.start)) {
      throw new OrdoError('VALIDATION', {
        message: 'The end must come after the start',
        details: { field: 'end' },
      });
    }
    const resource = await this.options.db
      .selectFrom('resources')
      .select('id')
      .where('id', '=', input.resourceId)
      .executeTakeFirst();
    if (!resource) {
      throw new OrdoError('RESOURCE_NOT_FOUND', {
        details: { field: 'resourceId', id: input.resourceId },
      });
    }
    if (access(await this.options.rightsFor(actor), input.resourceId) !== 'write') {
      throw new OrdoError('FORBIDDEN');
    }

    const unavailability: Unavailability = { id: this.newId(), ...input };
    await this.options.db
      .insertInto('unavailabilities')
      .values({
        id: unavailability.id,
        resource_id: input.resourceId,
        start_at: input.start,
        end_at: input.end,
        reason: input.reason,
      })
      .execute();
    return unavailability;
  }

  async delete(actor: Actor, id: string): Promise<void> {
    const row = await this.options.db
      .selectFrom('unavailabilities')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    const rights = await this.options.rightsFor(actor);
    // Someone who may not see it is told it does not exist, as for tasks.
    if (!row || access(rights, row.resource_id) === 'none') {
      throw new OrdoError('UNAVAILABILITY_NOT_FOUND', { details: { id } });
    }
    if (access(rights, row.resource_id) !== 'write') throw new OrdoError('FORBIDDEN');
    await this.options.db.deleteFrom('unavailabilities').where('id', '=', id).execute();
  }
}

function access(rights: RightsContext | null, resourceId: string) {
  if (!rights) return 'write';
  return accessTo(rights.user, rights.departmentOf(resourceId));
}

function fromRow(row: Selectable<UnavailabilitiesTable>): Unavailability {
  return {
    id: row.id,
    resourceId: row.resource_id,
    start: row.start_at,
    end: row.end_at,
    reason: row.reason,
  };
}
