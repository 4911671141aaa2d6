/**
 * The page's entry point: the login form, then the shell (header, navigation, language
 * switch) around the page the address names: #/planning, #/resources, #/clients,
 * #/transfer, #/messages, #/options/sync, and for administrators #/admin/users,
 * #/admin/groups, #/admin/options.
 */
import { renderGroups, renderOptions, renderUsers } from './admin.js';
import { api, whenAuthLost } from './api.js';
import { renderClients, renderResources } from './cards.js';
import { isAdmin, loadContext, type AppContext } from './context.js';
import { renderMessages, renderMessaging, renderTaskDescription } from './messaging.js';
import { clear, field, h, select } from './dom.js';
import { errorText, language, setLanguage, t, type Language, type MessageKey } from './i18n.js';
import { renderPlanning } from './planning-view.js';
import {
  followGraphReturn,
  registerTaskSyncAction,
  renderCalendarSync,
  watchTaskSyncMenu,
} from './sync-page.js';
import { watchReminders } from './reminders.js';
import { openTaskDialog } from './task-dialog.js';
import { renderTransfer } from './transfer.js';

interface Route {
  path: string;
  label: MessageKey;
  adminOnly?: boolean;
  render: (ctx: AppContext, root: HTMLElement) => Promise<void> | void;
}

const ROUTES: Route[] = [
  {
    path: '/planning',
    label: 'nav.planning',
    render: (ctx, root) => {
      watchTaskSyncMenu(ctx, root);
      return renderPlanning({ ctx, root, openTask: (request) => openTaskDialog(ctx, request) });
    },
  },
  { path: '/resources', label: 'nav.resources', render: renderResources },
  { path: '/clients', label: 'nav.clients', render: renderClients },
  { path: '/transfer', label: 'nav.transfer', render: renderTransfer },
  { path: '/messages', label: 'nav.messages', render: (_ctx, root) => renderMessages(root) },
  { path: '/options/sync', label: 'nav.calendarSync', render: renderCalendarSync },
  { path: '/admin/users', label: 'nav.users', adminOnly: true, render: renderUsers },
  {
    path: '/admin/groups',
    label: 'nav.groups',
    adminOnly: true,
    render: (_ctx, root) => renderGroups(root),
  },
  {
    path: '/admin/options',
    label: 'nav.options',
    adminOnly: true,
    render: (_ctx, root) => renderOptions(root),
  },
  {
    path: '/admin/messaging',
    label: 'nav.messaging',
    adminOnly: true,
    render: (_ctx, root) => renderMessaging(root),
  },
  {
    path: '/admin/task-description',
    label: 'nav.taskDescription',
    adminOnly: true,
    render: (_ctx, root) => renderTaskDescription(root),
  },
];

const app = document.getElementById('app') as HTMLElement;
let context: AppContext | null = null;

function currentRoute(ctx: AppContext): Route {
  const path = location.hash.replace(/^#/, '') || '/planning';
  const route = ROUTES.find((r) => r.path === path && (!r.adminOnly || isAdmin(ctx)));
  return route ?? (ROUTES[0] as Route);
}

function languageSwitch(onChange: () => void): HTMLElement {
  const control = select(
    { id: 'language', name: 'language', aria: { label: t('language') } },
    [
      ['fr', t('language.fr')],
      ['en', t('language.en')],
    ],
    language(),
  );
  control.addEventListener('change', () => {
    setLanguage(control.value as Language);
    onChange();
  });
  return control;
}

function renderLogin(): void {
  context = null;
  document.title = `${t('login.title')} · Ordo`;
  const error = h('div', { class: 'form-error', role: 'alert', id: 'login-error' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('login.submit'));
  const login = h('input', {
    type: 'text',
    name: 'login',
    autocomplete: 'username',
    required: true,
  });
  const password = h('input', {
    type: 'password',
    name: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const form = h(
    'form',
    { class: 'form login-form', id: 'login-form' },
    h('h1', {}, 'Ordo'),
    h('h2', {}, t('login.title')),
    error,
    field({ label: t('login.login'), control: login, name: 'login' }),
    field({ label: t('login.password'), control: password, name: 'password' }),
    h(
      'div',
      { class: 'buttons' },
      languageSwitch(renderLogin),
      h('span', { class: 'spacer' }),
      submit,
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.textContent = '';
    submit.disabled = true;
    api
      .login(login.value.trim(), password.value)
      .then(() => start())
      .catch((e: unknown) => {
        error.textContent = errorText(e);
        password.select();
      })
      .finally(() => {
        submit.disabled = false;
      });
  });
  clear(app);
  app.append(h('main', { class: 'login-page' }, form));
  login.focus();
}

function renderShell(ctx: AppContext): void {
  const route = currentRoute(ctx);
  document.title = `${t(route.label)} · ${ctx.companyName}`;
  const link = (r: Route) =>
    h(
      'a',
      { href: `#${r.path}`, class: r === route ? 'active' : '', data: { route: r.path } },
      t(r.label),
    );
  const visible = ROUTES.filter((r) => !r.adminOnly || isAdmin(ctx));
  const main = h('main', { id: 'view', class: 'view' });
  const logout = h('button', { type: 'button', id: 'logout', class: 'link' }, t('logout'));
  logout.addEventListener('click', () => {
    void api.logout().finally(renderLogin);
  });
  const header = h(
    'header',
    { class: 'top' },
    h(
      'div',
      { class: 'brand' },
      h('strong', {}, 'Ordo'),
      ctx.companyName !== 'Ordo' ? h('span', { class: 'muted' }, ctx.companyName) : null,
    ),
    h(
      'nav',
      { class: 'main-nav', aria: { label: 'Ordo' } },
      ...visible.filter((r) => !r.adminOnly).map(link),
      isAdmin(ctx)
        ? h(
            'span',
            { class: 'nav-group', id: 'admin-nav' },
            h('span', { class: 'nav-title' }, t('nav.admin')),
            ...visible.filter((r) => r.adminOnly).map(link),
          )
        : null,
    ),
    h(
      'div',
      { class: 'session' },
      languageSwitch(() => renderShell(ctx)),
      h('span', { class: 'user', id: 'current-user' }, ctx.me.user.login),
      logout,
    ),
  );
  clear(app);
  app.append(header, main);
  Promise.resolve(route.render(ctx, main)).catch((error: unknown) => {
    clear(main);
    main.append(h('p', { class: 'error' }, errorText(error)));
  });
}

async function start(): Promise<void> {
  try {
    context = await loadContext();
  } catch {
    renderLogin();
    return;
  }
  renderShell(context);
}

whenAuthLost(() => {
  if (context) renderLogin();
});
window.addEventListener('hashchange', () => {
  if (context) renderShell(context);
});
setLanguage(language());
registerTaskSyncAction();
followGraphReturn();
void start();
watchReminders();
