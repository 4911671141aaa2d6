/**
 * Identity cards (fiches d'identité): resources with their kind, e-mail, mobile and
 * department, and clients with their e-mail and mobile. Listed in tables, created and
 * edited in a form window, deleted after confirmation.
 */
import type { Client, Resource } from './api.js';
import { api } from './api.js';
import { isAdmin, reloadCards, type AppContext } from './context.js';
import { clear, field, h, select } from './dom.js';
import { errorText, t } from './i18n.js';
import { confirmDialog, formWindow, toast, valueOf } from './ui.js';

export async function renderResources(ctx: AppContext, root: HTMLElement): Promise<void> {
  await reloadCards(ctx);
  const rerender = () => void renderResources(ctx, root);
  const departmentName = (id: string | null) =>
    ctx.departments.find((d) => d.id === id)?.name ?? '';
  const rows = ctx.resources.map((r) =>
    h(
      'tr',
      { data: { resourceId: r.id } },
      h('td', {}, r.name),
      h('td', {}, r.kind === 'human' ? t('cards.kind.human') : t('cards.kind.material')),
      h('td', {}, r.email ?? ''),
      h('td', {}, r.mobile ?? ''),
      h('td', {}, departmentName(r.departmentId)),
      // Resources are changed by administrators only; others read the cards.
      isAdmin(ctx)
        ? rowButtons({
            name: r.name,
            onEdit: () => editResource(ctx, r).then((saved) => saved && rerender()),
            onDelete: () => api.deleteResource(r.id),
            onDeleted: rerender,
          })
        : h('td'),
    ),
  );
  clear(root);
  root.append(
    pageHead(t('cards.resources'), isAdmin(ctx) ? t('cards.newResource') : null, () =>
      editResource(ctx, null).then((saved) => saved && rerender()),
    ),
    table(
      [
        t('cards.name'),
        t('cards.kind'),
        t('cards.email'),
        t('cards.mobile'),
        t('cards.department'),
        '',
      ],
      rows,
    ),
    departmentsBox(ctx, rerender),
  );
}

export async function renderClients(ctx: AppContext, root: HTMLElement): Promise<void> {
  await reloadCards(ctx);
  const rerender = () => void renderClients(ctx, root);
  const rows = ctx.clients.map((c) =>
    h(
      'tr',
      { data: { clientId: c.id } },
      h('td', {}, c.name),
      h('td', {}, c.email ?? ''),
      h('td', {}, c.mobile ?? ''),
      rowButtons({
        name: c.name,
        onEdit: () => editClient(c).then((saved) => saved && rerender()),
        onDelete: () => api.deleteClient(c.id),
        onDeleted: rerender,
      }),
    ),
  );
  clear(root);
  root.append(
    pageHead(t('cards.clients'), t('cards.newClient'), () =>
      editClient(null).then((saved) => saved && rerender()),
    ),
    table([t('cards.name'), t('cards.email'), t('cards.mobile'), ''], rows),
  );
}

export function pageHead(
  title: string,
  newLabel: string | null,
  onNew: () => unknown,
): HTMLElement {
  return h(
    'div',
    { class: 'page-head' },
    h('h2', {}, title),
    newLabel
      ? h(
          'button',
          {
            type: 'button',
            class: 'primary',
            data: { action: 'new' },
            on: { click: () => void onNew() },
          },
          newLabel,
        )
      : null,
  );
}

export function table(headers: string[], rows: HTMLElement[]): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'muted' }, t('cards.empty'));
  return h(
    'div',
    { class: 'table-scroller' },
    h(
      'table',
      { class: 'list' },
      h('thead', {}, h('tr', {}, ...headers.map((text) => h('th', {}, text)))),
      h('tbody', {}, ...rows),
    ),
  );
}

export function rowButtons(options: {
  name: string;
  onEdit: () => unknown;
  onDelete: () => Promise<unknown>;
  onDeleted: () => void;
}): HTMLElement {
  const remove = async () => {
    if (!(await confirmDialog(t('confirm.delete', { name: options.name })))) return;
    try {
      await options.onDelete();
      toast(t('deleted'));
      options.onDeleted();
    } catch (error) {
      toast(errorText(error), 'error');
    }
  };
  return h(
    'td',
    { class: 'actions' },
    h(
      'button',
      { type: 'button', data: { action: 'edit' }, on: { click: () => void options.onEdit() } },
      t('edit'),
    ),
    h(
      'button',
      {
        type: 'button',
        class: 'danger',
        data: { action: 'delete' },
        on: { click: () => void remove() },
      },
      t('delete'),
    ),
  );
}

function editResource(ctx: AppContext, resource: Resource | null): Promise<boolean> {
  const departments: [string, string][] = [
    ['', t('none')],
    ...ctx.departments.map((d) => [d.id, d.name] as [string, string]),
  ];
  return formWindow({
    title: resource ? t('cards.editResource') : t('cards.newResource'),
    body: [
      field({
        label: t('cards.name'),
        name: 'name',
        control: h('input', {
          type: 'text',
          name: 'name',
          value: resource?.name ?? '',
          required: true,
        }),
      }),
      field({
        label: t('cards.kind'),
        name: 'kind',
        control: select(
          { name: 'kind' },
          [
            ['human', t('cards.kind.human')],
            ['material', t('cards.kind.material')],
          ],
          resource?.kind ?? 'human',
        ),
      }),
      field({
        label: t('cards.email'),
        name: 'email',
        control: h('input', { type: 'email', name: 'email', value: resource?.email ?? '' }),
      }),
      field({
        label: t('cards.mobile'),
        name: 'mobile',
        control: h('input', { type: 'tel', name: 'mobile', value: resource?.mobile ?? '' }),
      }),
      field({
        label: t('cards.department'),
        name: 'departmentId',
        control: select({ name: 'departmentId' }, departments, resource?.departmentId ?? ''),
      }),
    ],
    onSubmit: async (form) => {
      const input = {
        name: valueOf(form, 'name') ?? '',
        kind: (valueOf(form, 'kind') ?? 'human') as Resource['kind'],
        email: valueOf(form, 'email'),
        mobile: valueOf(form, 'mobile'),
        departmentId: valueOf(form, 'departmentId'),
      };
      if (resource) await api.updateResource(resource.id, input);
      else await api.createResource(input);
      toast(t('saved'));
    },
  });
}

function editClient(client: Client | null): Promise<boolean> {
  return formWindow({
    title: client ? t('cards.editClient') : t('cards.newClient'),
    body: [
      field({
        label: t('cards.name'),
        name: 'name',
        control: h('input', {
          type: 'text',
          name: 'name',
          value: client?.name ?? '',
          required: true,
        }),
      }),
      field({
        label: t('cards.email'),
        name: 'email',
        control: h('input', { type: 'email', name: 'email', value: client?.email ?? '' }),
      }),
      field({
        label: t('cards.mobile'),
        name: 'mobile',
        control: h('input', { type: 'tel', name: 'mobile', value: client?.mobile ?? '' }),
      }),
    ],
    onSubmit: async (form) => {
      const input = {
        name: valueOf(form, 'name') ?? '',
        email: valueOf(form, 'email'),
        mobile: valueOf(form, 'mobile'),
      };
      if (client) await api.updateClient(client.id, input);
      else await api.createClient(input);
      toast(t('saved'));
    },
  });
}

function departmentsBox(ctx: AppContext, onChange: () => void): HTMLElement {
  const name = h('input', {
    type: 'text',
    name: 'departmentName',
    aria: { label: t('cards.newDepartment') },
    placeholder: t('cards.newDepartment'),
  });
  const form = h(
    'form',
    { class: 'inline-form' },
    name,
    h('button', { type: 'submit' }, t('cards.addDepartment')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!name.value.trim()) return;
    api
      .createDepartment(name.value.trim())
      .then(() => onChange())
      .catch((error: unknown) => toast(errorText(error), 'error'));
  });
  return h(
    'section',
    { class: 'box' },
    h('h3', {}, t('cards.departments')),
    h('ul', { class: 'chips' }, ...ctx.departments.map((d) => h('li', {}, d.name))),
    isAdmin(ctx) ? form : null,
  );
}
