/**
 * Identity cards: resources, clients and departments. E-mail addresses and mobile numbers
 * are validated here, and mobiles kept in international form so every SMS route reads them
 * the same.
 */
import crypto from 'node:crypto';
import type { Selectable } from 'kysely';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { z } from 'zod';
import type { Clock } from '../shared/clock.js';
import { OrdoError } from '../shared/errors.js';
import type { ClientsTable, Db, ResourcesTable } from '../store/schema.js';
import type { Client, Department, Resource, ResourceKind } from './types.js';

export interface CardInput {
  name: string;
  email?: string | null;
  mobile?: string | null;
}

export interface ResourceInput extends CardInput {
  kind?: ResourceKind;
  departmentId?: string | null;
}

const email = z.email();

export function normalizeEmail(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  if (!trimmed) return null;
  if (!email.safeParse(trimmed).success) {
    throw new OrdoError('MAIL_ADDRESS_INVALID', {
      message: `Not a valid e-mail address: ${trimmed}`,
      details: { field: 'email' },
    });
  }
  return trimmed;
}

/** A mobile number in E.164 form (`+33612345678`); national numbers use the default country. */
export function normalizeMobile(value: string | null | undefined, country: string): string | null {
  const trimmed = value?.trim();
  if (!trimmed) return null;
  const phone = parsePhoneNumberFromString(trimmed, country as CountryCode);
  if (!phone || !phone.isValid()) {
    throw new OrdoError('SMS_MOBILE_INVALID', {
      message: `Not a valid mobile number: ${trimmed}`,
      details: { field: 'mobile' },
    });
  }
  return phone.number;
}

function validName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 200) {
    throw new OrdoError('VALIDATION', {
      message: 'A name of 1 to 200 characters is needed',
      details: { field: 'name' },
    });
  }
  return trimmed;
}

export class Directory {
  private readonly newId: () => string;

  constructor(
    private readonly options: {
      db: Db;
      clock: Clock;
      defaultCountry: () => Promise<string>;
      newId?: () => string;
    },
  ) {
    this.newId = options.newId ?? (() => crypto.randomUUID());
  }

  async listResources(): Promise<Resource[]> {
    const rows = await this.options.db
      .selectFrom('resources')
      .selectAll()
      .orderBy('name')
      .execute();
    return rows.map(resourceFromRow);
  }

  async getResource(id: string): Promise<Resource> {
    const row = await this.options.db
      .selectFrom('resources')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new OrdoError('RESOURCE_NOT_FOUND', { details: { id } });
    return resourceFromRow(row);
  }

  async findResourceByName(name: string): Promise<Resource | null> {
    const row = await this.options.db
      .selectFrom('resources')
      .selectAll()
      .where('name', '=', name.trim())
      .executeTakeFirst();
    return row ? resourceFromRow(row) : null;
  }

  async createResource(input: ResourceInput): Promise<Resource> {
    const resource: Resource = {
      id: this.newId(),
      name: validName(input.name),
      kind: input.kind ?? 'human',
      email: normalizeEmail(input.email),
      mobile: normalizeMobile(input.mobile, await this.options.defaultCountry()),
      departmentId: input.departmentId ?? null,
    };
    if (await this.findResourceByName(resource.name)) {
      throw new OrdoError('RESOURCE_EXISTS', { details: { name: resource.name } });
    }
    await this.assertDepartment(resource.departmentId);
    await this.options.db
      .insertInto('resources')
      .values({
        id: resource.id,
        name: resource.name,
        kind: resource.kind,
        email: resource.email,
        mobile: resource.mobile,
        department_id: resource.departmentId,
        created_at: this.options.clock.now(),
      })
      .execute();
    return resource;
  }

  async updateResource(id: string, patch: Partial<ResourceInput>): Promise<Resource> {
    const current = await this.getResource(id);
    const next: Resource = {
      ...current,
      name: patch.name === undefined ? current.name : validName(patch.name),
      kind: patch.kind ?? current.kind,
      email: patch.email === undefined ? current.email : normalizeEmail(patch.email),
      mobile:
        patch.mobile === undefined
          ? current.mobile
          : normalizeMobile(patch.mobile, await this.options.defaultCountry()),
      departmentId: patch.departmentId === undefined ? current.departmentId : patch.departmentId,
    };
    const clash = await this.findResourceByName(next.name);
    if (clash && clash.id !== id) throw new OrdoError('RESOURCE_EXISTS');
    await this.assertDepartment(next.departmentId);
    await this.options.db
      .updateTable('resources')
      .set({
        name: next.name,
        kind: next.kind,
        email: next.email,
        mobile: next.mobile,
        department_id: next.departmentId,
      })
      .where('id', '=', id)
      .execute();
    return next;
  }

  async deleteResource(id: string): Promise<void> {
    const result = await this.options.db.deleteFrom('resources').where('id', '=', id).execute();
    if (Number(result[0]?.numDeletedRows ?? 0) === 0) throw new OrdoError('RESOURCE_NOT_FOUND');
  }

  async listClients(): Promise<Client[]> {
    const rows = await this.options.db.selectFrom('clients').selectAll().orderBy('name').execute();
    return rows.map(clientFromRow);
  }

  async getClient(id: string): Promise<Client> {
    const row = await this.options.db
      .selectFrom('clients')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new OrdoError('CLIENT_NOT_FOUND', { details: { id } });
    return clientFromRow(row);
  }

  async findClientByName(name: string): Promise<Client | null> {
    const row = await this.options.db
      .selectFrom('clients')
      .selectAll()
      .where('name', '=', name.trim())
      .executeTakeFirst();
    return row ? clientFromRow(row) : null;
  }

  async createClient(input: CardInput): Promise<Client> {
    const client: Client = {
      id: this.newId(),
      name: validName(input.name),
      email: normalizeEmail(input.email),
      mobile: normalizeMobile(input.mobile, await this.options.defaultCountry()),
    };
    if (await this.findClientByName(client.name)) {
      throw new OrdoError('CLIENT_EXISTS', { details: { name: client.name } });
    }
    await this.options.db
      .insertInto('clients')
      .values({ ...client, created_at: this.options.clock.now() })
      .execute();
    return client;
  }

  async updateClient(id: string, patch: Partial<CardInput>): Promise<Client> {
    const current = await this.getClient(id);
    const next: Client = {
      ...current,
      name: patch.name === undefined ? current.name : validName(patch.name),
      email: patch.email === undefined ? current.email : normalizeEmail(patch.email),
      mobile:
        patch.mobile === undefined
          ? current.mobile
          : normalizeMobile(patch.mobile, await this.options.defaultCountry()),
    };
    const clash = await this.findClientByName(next.name);
    if (clash && clash.id !== id) throw new OrdoError('CLIENT_EXISTS');
    await this.options.db
      .updateTable('clients')
      .set({ name: next.name, email: next.email, mobile: next.mobile })
      .where('id', '=', id)
      .execute();
    return next;
  }

  async deleteClient(id: string): Promise<void> {
    const result = await this.options.db.deleteFrom('clients').where('id', '=', id).execute();
    if (Number(result[0]?.numDeletedRows ?? 0) === 0) throw new OrdoError('CLIENT_NOT_FOUND');
  }

  async listDepartments(): Promise<Department[]> {
    return this.options.db.selectFrom('departments').selectAll().orderBy('name').execute();
  }

  async createDepartment(name: string): Promise<Department> {
    const department = { id: this.newId(), name: validName(name) };
    const clash = await this.options.db
      .selectFrom('departments')
      .select('id')
      .where('name', '=', department.name)
      .executeTakeFirst();
    if (clash) throw new OrdoError('DEPARTMENT_EXISTS', { details: { name: department.name } });
    await this.options.db.insertInto('departments').values(department).execute();
    return department;
  }

  /** Every resource's department, for rights checks. */
  async departmentMap(executor: Db = this.options.db): Promise<Map<string, string | null>> {
    const rows = await executor.selectFrom('resources').select(['id', 'department_id']).execute();
    return new Map(rows.map((r) => [r.id, r.department_id]));
  }

  private async assertDepartment(id: string | null): Promise<void> {
    if (!id) return;
    const row = await this.options.db
      .selectFrom('departments')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new OrdoError('DEPARTMENT_NOT_FOUND', { details: { field: 'departmentId' } });
  }
}

function resourceFromRow(row: Selectable<ResourcesTable>): Resource {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as ResourceKind,
    email: row.email,
    mobile: row.mobile,
    departmentId: row.department_id,
  };
}

function clientFromRow(row: Selectable<ClientsTable>): Client {
  return { id: row.id, name: row.name, email: row.email, mobile: row.mobile };
}
