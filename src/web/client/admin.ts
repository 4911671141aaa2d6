/**
 * Administration, shown to administrators only: users (login, password, administrator,
 * "who I am" resource, group, access by default and per department), groups (rights to
 * add, modify, delete tasks) and the Options (every setting; secrets can be replaced but
 * never read back).
 */
import type { Access, Group, Setting, User } from './api.js';
import { api } from './api.js';
import { pageHead, rowButtons, table } from './cards.js';
import { reloadCards, type AppContext } from './context.js';
import { clear, field, h, select } from './dom.js';
import { errorText, settingDescription, t, type MessageKey } from './i18n.js';
import { checked, formWindow, toast, valueOf } from './ui.js';

const ACCESS: Access[] = ['none', 'read', 'write'];
const accessText = (a: Access | 'inherit') => t(`admin.access.${a}` as MessageKey);

export async function renderUsers(ctx: AppContext, root: HTMLElement): Promise<void> {
  await reloadCards(ctx);
  const [{ users }, { groups }] = await Promise.all([api.users(), api.groups()]);
  const rerender = () => void renderUsers(ctx, root);
  const nameOf = <T extends { id: string; name: string }>(list: T[], id: string | null) =>
    list.find((item) => item.id === id)?.name ?? '';
  const rows = users.map((u) =>
    h(
      'tr',
      { data: { userId: u.id } },
      h('td', {}, u.login),
      h('td', {}, u.isAdmin ? t('yes') : t('no')),
      h('td', {}, nameOf(ctx.resources, u.resourceId)),
      h('td', {}, nameOf(groups, u.groupId)),
      h('td', {}, accessText(u.defaultAccess ?? 'write')),
      rowButtons({
        name: u.login,
        onEdit: () => editUser(ctx, groups, u).then((saved) => saved && rerender()),
        onDelete: () => api.deleteUser(u.id),
        onDeleted: rerender,
      }),
    ),
  );
  clear(root);
  root.append(
    pageHead(t('admin.users'), t('admin.newUser'), () =>
      editUser(ctx, groups, null).then((saved) => saved && rerender()),
    ),
    table(
      [
        t('admin.login'),
        t('admin.isAdmin'),
        t('admin.whoIAm'),
        t('admin.group'),
        t('admin.defaultAccess'),
        '',
      ],
      rows,
    ),
  );
}

function editUser(ctx: AppContext, groups: Group[], user: User | null): Promise<boolean> {
  const resources: [string, string][] = [
    ['', t('none')],
    ...ctx.resources.map((r) => [r.id, r.name] as [string, string]),
  ];
  const groupChoices: [string, string][] = [
    ['', t('none')],
    ...groups.map((g) => [g.id, g.name] as [string, string]),
  ];
  const accessChoices = ACCESS.map((a) => [a, accessText(a)] as [string, string]);
  const perDepartment = ctx.departments.map((d) =>
    field({
      label: d.name,
      name: `access-${d.id}`,
      control: select(
        { name: `access-${d.id}` },
        [['inherit', accessText('inherit')], ...accessChoices],
        user?.departmentAccess?.[d.id] ?? 'inherit',
      ),
    }),
  );
  return formWindow({
    title: user ? t('admin.editUser') : t('admin.newUser'),
    body: [
      field({
        label: t('admin.login'),
        name: 'login',
        control: h('input', {
          type: 'text',
          name: 'login',
          value: user?.login ?? '',
          required: true,
          autocomplete: 'off',
        }),
      }),
      field({
        label: t('admin.password'),
        name: 'password',
        hint: user ? t('admin.passwordKeep') : undefined,
        control: h('input', { type: 'password', name: 'password', autocomplete: 'new-password' }),
      }),
      h(
        'label',
        { class: 'check' },
        h('input', { type: 'checkbox', name: 'isAdmin', checked: user?.isAdmin ?? false }),
        t('admin.isAdmin'),
      ),
      field({
        label: t('admin.whoIAm'),
        name: 'resourceId',
        control: select({ name: 'resourceId' }, resources, user?.resourceId ?? ''),
      }),
      field({
        label: t('admin.group'),
        name: 'groupId',
        control: select({ name: 'groupId' }, groupChoices, user?.groupId ?? ''),
      }),
      field({
        label: t('admin.defaultAccess'),
        name: 'defaultAccess',
        control: select({ name: 'defaultAccess' }, accessChoices, user?.defaultAccess ?? 'write'),
      }),
      field({
        label: t('admin.language'),
        name: 'language',
        hint: t('admin.languageHint'),
        control: select(
          { name: 'language' },
          [
            ['', t('admin.language.company')],
            ['fr', t('language.fr')],
            ['en', t('language.en')],
          ],
          user?.language ?? '',
        ),
      }),
      perDepartment.length > 0
        ? h(
            'fieldset',
            { class: 'sub' },
            h('legend', {}, t('admin.departmentAccess')),
            ...perDepartment,
          )
        : h('span'),
    ],
    aliases: { access: 'defaultAccess' },
    onSubmit: async (form) => {
      const departmentAccess: Record<string, Access> = {};
      for (const d of ctx.departments) {
        const value = valueOf(form, `access-${d.id}`);
        if (value && value !== 'inherit') departmentAccess[d.id] = value as Access;
      }
      const input = {
        login: valueOf(form, 'login') ?? '',
        isAdmin: checked(form, 'isAdmin'),
        resourceId: valueOf(form, 'resourceId'),
        groupId: valueOf(form, 'groupId'),
        defaultAccess: (valueOf(form, 'defaultAccess') ?? 'write') as Access,
        departmentAccess,
        language: valueOf(form, 'language') as User['language'],
      };
      const password = valueOf(form, 'password');
      if (user) await api.updateUser(user.id, password ? { ...input, password } : input);
      else await api.createUser({ ...input, password: password ?? '' });
      toast(t('saved'));
    },
  });
}

export async function renderGroups(root: HTMLElement): Promise<void> {
  const { groups } = await api.groups();
  const rerender = () => void renderGroups(root);
  const rows = groups.map((g) =>
    h(
      'tr',
      { data: { groupId: g.id } },
      h('td', {}, g.name),
      h('td', {}, g.canAdd ? '✓' : '—'),
      h('td', {}, g.canModify ? '✓' : '—'),
      h('td', {}, g.canDelete ? '✓' : '—'),
      rowButtons({
        name: g.name,
        onEdit: () => editGroup(g).then((saved) => saved && rerender()),
        onDelete: () => api.deleteGroup(g.id),
        onDeleted: rerender,
      }),
    ),
  );
  clear(root);
  root.append(
    pageHead(t('admin.groups'), t('admin.newGroup'), () =>
      editGroup(null).then((saved) => saved && rerender()),
    ),
    table(
      [t('admin.groupName'), t('admin.canAdd'), t('admin.canModify'), t('admin.canDelete'), ''],
      rows,
    ),
  );
}

function editGroup(group: Group | null): Promise<boolean> {
  const check = (name: 'canAdd' | 'canModify' | 'canDelete', key: MessageKey) =>
    h(
      'label',
      { class: 'check' },
      h('input', { type: 'checkbox', name, checked: group?.[name] ?? true }),
      t(key),
    );
  return formWindow({
    title: group ? t('admin.editGroup') : t('admin.newGroup'),
    body: [
      field({
        label: t('admin.groupName'),
        name: 'name',
        control: h('input', {
          type: 'text',
          name: 'name',
          value: group?.name ?? '',
          required: true,
        }),
      }),
      check('canAdd', 'admin.canAdd'),
      check('canModify', 'admin.canModify'),
      check('canDelete', 'admin.canDelete'),
    ],
    onSubmit: async (form) => {
      const input = {
        name: valueOf(form, 'name') ?? '',
        canAdd: checked(form, 'canAdd'),
        canModify: checked(form, 'canModify'),
        canDelete: checked(form, 'canDelete'),
      };
      if (group) await api.updateGroup(group.id, input);
      else await api.createGroup(input);
      toast(t('saved'));
    },
  });
}

export async function renderOptions(root: HTMLElement): Promise<void> {
  const { settings } = await api.settings();
  const sections = new Map<string, Setting[]>();
  for (const setting of settings) {
    const prefix = setting.key.split('.')[0] ?? '';
    const section = SECTIONS.includes(prefix) ? prefix : 'other';
    sections.set(section, [...(sections.get(section) ?? []), setting]);
  }
  clear(root);
  root.append(
    pageHead(t('admin.options'), null, () => undefined),
    ...[...SECTIONS, 'other']
      .filter((name) => sections.has(name))
      .map((name) =>
        h(
          'section',
          { class: 'settings', data: { section: name } },
          h('h3', {}, t(`admin.section.${name}` as MessageKey)),
          ...(sections.get(name) ?? []).map(settingRow),
        ),
      ),
  );
}

/** The Options tabs of the original product, as sections, by the settings' key prefix. */
const SECTIONS = ['company', 'task', 'mail', 'sms', 'graph'];

/** One setting: its key, what it does, and a control fitting its current value's type. */
function settingRow(setting: Setting): HTMLElement {
  const control = settingControl(setting);
  const error = h('div', { class: 'field-error', role: 'alert' });
  const form = h(
    'form',
    { class: 'setting', data: { key: setting.key } },
    h(
      'div',
      { class: 'setting-text' },
      h('code', {}, setting.key),
      h('p', { class: 'muted' }, settingDescription(setting.key, setting.description)),
    ),
    h(
      'div',
      { class: 'setting-control' },
      control,
      h('button', { type: 'submit' }, t('save')),
      error,
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.textContent = '';
    let value: unknown;
    try {
      value = readSetting(setting, control);
    } catch {
      error.textContent = t('admin.jsonInvalid');
      return;
    }
    if (setting.secret && value === '') return;
    api
      .putSetting(setting.key, value)
      .then(() => {
        toast(t('saved'));
        if (setting.secret) {
          control.value = '';
          control.placeholder = t('admin.secretSet');
        }
      })
      .catch((e: unknown) => {
        error.textContent = errorText(e);
      });
  });
  return form;
}

type SettingControl = HTMLInputElement | HTMLTextAreaElement;

/**
 * Lists of plain strings are edited as comma-separated text; other structures as JSON.
 * TODO(when GET /api/settings describes allowed values): offer a select for enumerated
 * settings (mail.transport, mail.smtp.security, ...); the server validates them meanwhile.
 */
function isStructured(value: unknown): boolean {
  if (Array.isArray(value)) return value.some((item) => typeof item !== 'string');
  return typeof value === 'object' && value !== null;
}

function settingControl(setting: Setting): SettingControl {
  const name = 'value';
  const label = { label: setting.key };
  if (setting.secret) {
    return h('input', {
      type: 'password',
      name,
      autocomplete: 'new-password',
      placeholder: setting.isSet ? t('admin.secretSet') : t('admin.secretUnset'),
      title: t('admin.secretHint'),
      aria: label,
    });
  }
  const { value } = setting;
  if (isStructured(value)) {
    return h('textarea', {
      name,
      rows: '6',
      class: 'json',
      spellcheck: 'false',
      value: JSON.stringify(value, null, 2),
      title: t('admin.jsonHint'),
      aria: label,
    });
  }
  if (typeof value === 'boolean')
    return h('input', { type: 'checkbox', name, checked: value, aria: label });
  if (typeof value === 'number')
    return h('input', { type: 'number', name, value: String(value), aria: label });
  if (Array.isArray(value)) {
    return h('input', {
      type: 'text',
      name,
      value: value.join(', '),
      title: t('admin.listHint'),
      aria: label,
    });
  }
  return h('input', {
    type: 'text',
    name,
    value: value === null || value === undefined ? '' : String(value),
    aria: label,
  });
}

function readSetting(setting: Setting, control: SettingControl): unknown {
  if (setting.secret) return control.value;
  if (control instanceof HTMLTextAreaElement) return JSON.parse(control.value) as unknown;
  if (control.type === 'checkbox') return control.checked;
  if (control.type === 'number') return Number(control.value);
  if (Array.isArray(setting.value)) {
    return control.value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  return control.value;
}
