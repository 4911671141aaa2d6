/** Commands for administrators: users and settings. */
import { SETTINGS } from '../../settings/keys.js';
import { OrdoError } from '../../shared/errors.js';
import { stringOption, type Command } from '../command.js';

const userAdd: Command = {
  words: ['user', 'add'],
  usage:
    'user add LOGIN [--admin] [--resource NAME] [--group NAME] [--read-only] [--password-env VAR]',
  summary:
    'Adds a user. The password is read from the environment variable named by --password-env ' +
    '(never from the command line, where other users of the machine could see it).',
  options: {
    admin: { type: 'boolean' },
    resource: { type: 'string' },
    group: { type: 'string' },
    'read-only': { type: 'boolean' },
    'password-env': { type: 'string' },
  },
  async run(ctx) {
    const login = ctx.positionals[0];
    if (!login) throw new OrdoError('VALIDATION', { message: 'Which login? ordo user add LOGIN' });
    const variable = stringOption(ctx, 'password-env');
    const password = variable ? ctx.env[variable] : undefined;
    if (!variable || !password) {
      throw new OrdoError('VALIDATION', {
        message: variable
          ? `The environment variable ${variable} is empty`
          : 'Give the password through an environment variable: --password-env VAR',
        details: { field: 'password' },
      });
    }
    const resourceName = stringOption(ctx, 'resource');
    const resource = resourceName
      ? await ctx.ordo.directory.findResourceByName(resourceName)
      : null;
    if (resourceName && !resource) {
      throw new OrdoError('RESOURCE_NOT_FOUND', { message: `No resource named ${resourceName}` });
    }
    const groupName = stringOption(ctx, 'group');
    const group = groupName ? await ctx.ordo.users.findGroupByName(groupName) : null;
    if (groupName && !group) {
      throw new OrdoError('GROUP_NOT_FOUND', { message: `No group named ${groupName}` });
    }
    const user = await ctx.ordo.users.create({
      login,
      password,
      isAdmin: ctx.values.admin === true,
      resourceId: resource?.id ?? null,
      groupId: group?.id ?? null,
      defaultAccess: ctx.values['read-only'] ? 'read' : 'write',
    });
    ctx.out.result(user, () => `Added user ${user.login} (${user.id})`);
  },
};

const configGet: Command = {
  words: ['config', 'get'],
  usage: 'config get [KEY]',
  summary: 'Shows a setting, or every setting with its description. Secrets are never shown.',
  async run(ctx) {
    const key = ctx.positionals[0];
    if (!key) {
      const all = await ctx.ordo.settings.list({ admin: true });
      ctx.out.result(all, () =>
        all.map((s) => `${s.key} = ${show(s.value, s.isSet)}\n    ${s.description}`).join('\n'),
      );
      return;
    }
    const view = await ctx.ordo.settings.view(key);
    ctx.out.result(view, () => show(view.value, view.isSet));
  },
};

function show(value: unknown, isSet: boolean | undefined): string {
  if (isSet !== undefined) return isSet ? '(set)' : '(not set)';
  return Array.isArray(value) ? value.join(',') : String(value);
}

const configSet: Command = {
  words: ['config', 'set'],
  usage: 'config set KEY (VALUE | --value-env VAR)',
  summary:
    'Changes a setting. For secrets, --value-env VAR reads the value from that environment ' +
    'variable, so it never shows in the list of running processes. ' +
    `Keys: ${Object.keys(SETTINGS).join(', ')}.`,
  options: { 'value-env': { type: 'string' } },
  async run(ctx) {
    const [key, ...rest] = ctx.positionals;
    const variable = stringOption(ctx, 'value-env');
    if (!key || (rest.length === 0) === (variable === undefined)) {
      throw new OrdoError('VALIDATION', {
        message: 'usage: ordo config set KEY VALUE, or ordo config set KEY --value-env VAR',
      });
    }
    const value = variable === undefined ? rest.join(' ') : ctx.env[variable];
    if (value === undefined) {
      throw new OrdoError('VALIDATION', {
        message: `The environment variable ${variable} is not set`,
        details: { field: 'value-env' },
      });
    }
    await ctx.ordo.settings.setFromText(key, value);
    const view = await ctx.ordo.settings.view(key);
    ctx.out.result(view, () => `${key} = ${show(view.value, view.isSet)}`);
  },
};

export const ADMIN_COMMANDS: Command[] = [userAdd, configGet, configSet];
