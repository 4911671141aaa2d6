/**
 * The company settings, stored in the database so every server process sees the same, and
 * validated against their definitions on every write. Secrets are sealed before they are
 * stored and only ever leave this module decrypted for the code that uses them.
 */
import type { SecretBox } from '../security/secrets.js';
import { OrdoError } from '../shared/errors.js';
import type { Db } from '../store/schema.js';
import { SETTINGS, type SettingDefinition, type SettingKey, type SettingValue } from './keys.js';

export interface SettingView {
  key: SettingKey;
  value: unknown;
  description: string;
  secret: boolean;
  /** For secrets: whether one is stored (its value is never shown). */
  isSet?: boolean;
}

export class Settings {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  /** `executor`: the transaction to read in, when the caller holds one. */
  async get<K extends SettingKey>(key: K, executor: Db = this.db): Promise<SettingValue<K>> {
    const def = definition(key);
    const row = await executor
      .selectFrom('settings')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst();
    if (!row) return def.default as SettingValue<K>;
    const stored = JSON.parse(row.value) as unknown;
    return (def.secret ? this.box.open(stored as string) : stored) as SettingValue<K>;
  }

  /** Several settings at once, as one object keyed by their dotted names. */
  async getMany<K extends SettingKey>(keys: readonly K[]): Promise<{ [P in K]: SettingValue<P> }> {
    const out = {} as { [P in K]: SettingValue<P> };
    for (const key of keys) out[key] = await this.get(key);
    return out;
  }

  async set(key: string, value: unknown): Promise<void> {
    const def = definition(key);
    const parsed = def.schema.safeParse(value);
    if (!parsed.success) {
      throw new OrdoError('SETTING_INVALID', {
        message: `${key}: ${parsed.error.issues[0]?.message ?? 'invalid value'}`,
        details: { key },
      });
    }
    const stored = def.secret ? this.box.seal(String(parsed.data)) : parsed.data;
    const json = JSON.stringify(stored);
    await this.db
      .insertInto('settings')
      .values({ key, value: json })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: json }))
      .execute();
  }

  /** A value typed on the command line (`true`, `587`, `a,b,c`) turned into the setting's type. */
  async setFromText(key: string, text: string): Promise<void> {
    await this.set(key, parseText(definition(key), text));
  }

  /** What an administrator (or, without `admin`, any user) may see; secrets masked. */
  async list(options: { admin: boolean }): Promise<SettingView[]> {
    const views: SettingView[] = [];
    for (const key of Object.keys(SETTINGS) as SettingKey[]) {
      const def: SettingDefinition = SETTINGS[key];
      if (!options.admin && (def.adminOnly || def.secret)) continue;
      views.push(await this.view(key));
    }
    return views;
  }

  async view(key: string): Promise<SettingView> {
    const def = definition(key);
    const k = key as SettingKey;
    if (def.secret) {
      const isSet = (await this.get(k)) !== '';
      return { key: k, value: null, description: def.description, secret: true, isSet };
    }
    return { key: k, value: await this.get(k), description: def.description, secret: false };
  }
}

export function definition(key: string): SettingDefinition {
  if (!Object.hasOwn(SETTINGS, key)) {
    throw new OrdoError('SETTING_UNKNOWN', {
      message: `No setting named ${key}`,
      details: { key },
    });
  }
  return SETTINGS[key as SettingKey] as SettingDefinition;
}

function parseText(def: SettingDefinition, text: string): unknown {
  if (typeof def.default === 'boolean') {
    if (text === 'true' || text === 'on' || text === '1') return true;
    if (text === 'false' || text === 'off' || text === '0') return false;
    return text;
  }
  if (typeof def.default === 'number') return text.trim() === '' ? text : Number(text);
  if (Array.isArray(def.default)) {
    // A list of objects (sms.operators) is typed as JSON.
    if (text.trim().startsWith('[')) return parseJson(text);
    return text
      .split(/[,;]/)
      .map((s) => s.trim())
      .filter(Boolean);
  }
  return text;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
