/**
 * Options → Calendar sync (#/options/sync) for the logged-in user: the settings of SPEC 3.1,
 * the CalDAV account with calendar discovery, the Microsoft 365 connection, "sync now" and
 * the run log. In manual mode it also gives each task bar a context menu, and the task
 * window a button, to send that task to the calendar or stop synchronizing it (SPEC 3.3).
 */
import { api, ApiError, request, type TaskJson } from './api.js';
import { pageHead } from './cards.js';
import type { AppContext } from './context.js';
import { clear, field, h, select } from './dom.js';
import { locale, t } from './i18n.js';
import { codeText, reasonText, st, syncErrorText, type SyncTextKey } from './sync-text.js';
import { registerTaskAction } from './task-dialog.js';
import { toast } from './ui.js';

type ExportAs = 'appointments' | 'tasks' | 'manual';
type Provider = 'caldav' | 'graph';
type Side = 'planning' | 'calendar';

interface CalDavAccount {
  serverUrl: string;
  calendarUrl: string | null;
  username: string;
  passwordSet: boolean;
}

interface GraphAccount {
  connected: boolean;
  /** Microsoft refused the stored sign-in (consent withdrawn): connect again. */
  needsReconnect?: boolean;
  account: string | null;
  calendarId: string | null;
  todoListId: string | null;
}

interface SyncRunAction {
  taskId: string | null;
  ref: string | null;
  action: string;
  side: Side;
  reason: string;
  conflict?: { winner: Side; overwritten: string };
  /** The task's label or the item's summary, when the server adds it. */
  label?: string;
}

interface SyncRunError {
  code: string;
  message: string;
  taskId?: string | null;
  ref?: string | null;
  remote?: Record<string, unknown>;
}

interface SyncRun {
  id: string;
  startedAt: string | number;
  finishedAt: string | number | null;
  status: string;
  counts: Record<string, number>;
  actions?: SyncRunAction[];
  errors?: SyncRunError[];
}

interface SyncSettings {
  enabled: boolean;
  everyMinutes: number;
  pastDays: number | null;
  futureDays: number;
  exportAs: ExportAs;
  importAppointments: boolean;
  importTasks: boolean;
  provider: Provider | null;
  caldav: CalDavAccount | null;
  graph: GraphAccount | null;
  resourceId: string | null;
  lastRun: SyncRun | null;
  nextRunAt: string | null;
}

interface DiscoveredCalendar {
  url: string;
  displayName: string;
  kinds: string[];
}

const COUNT_ORDER = ['created', 'updated', 'deleted', 'restored', 'linked', 'skipped'] as const;

const syncApi = {
  settings: () => request<SyncSettings>('GET', '/api/sync/settings'),
  save: (body: Record<string, unknown>) =>
    request<SyncSettings>('PUT', '/api/sync/settings', { body }),
  discover: (body: { serverUrl: string; username: string; password?: string }) =>
    request<{ calendars: DiscoveredCalendar[] }>('POST', '/api/sync/discover', { body }),
  run: () => request<SyncRun>('POST', '/api/sync/run'),
  startOver: () => request<void>('POST', '/api/sync/start-over'),
  runs: (limit = 20) => request<{ runs: SyncRun[] }>('GET', `/api/sync/runs?limit=${limit}`),
  sendTask: (taskId: string, kind: 'event' | 'todo') =>
    request<void>('POST', `/api/tasks/${encodeURIComponent(taskId)}/sync`, { body: { kind } }),
  stopTask: (taskId: string) =>
    request<void>('DELETE', `/api/tasks/${encodeURIComponent(taskId)}/sync`),
};

/** The page itself. */
export async function renderCalendarSync(ctx: AppContext, root: HTMLElement): Promise<void> {
  const [settings, runs] = await Promise.all([syncApi.settings(), syncApi.runs()]);
  remember(ctx.me.user.id, settings);
  const log = h('section', { id: 'sync-runs', class: 'sync-runs' });
  const status = h('p', { id: 'sync-status', class: 'muted', role: 'status' });
  const refresh = async () => {
    const [fresh, latest] = await Promise.all([syncApi.settings(), syncApi.runs()]);
    remember(ctx.me.user.id, fresh);
    drawStatus(status, fresh);
    drawRuns(log, latest.runs);
  };
  drawStatus(status, settings);
  drawRuns(log, runs.runs);

  clear(root);
  root.append(
    pageHead(st('title'), null, () => undefined),
    h('p', { class: 'muted' }, st('intro')),
    settingsForm(ctx, settings, refresh),
    h(
      'div',
      { class: 'buttons sync-run-bar' },
      runButton(refresh),
      startOverButton(refresh),
      status,
    ),
    log,
  );
}

function settingsForm(
  ctx: AppContext,
  settings: SyncSettings,
  refresh: () => Promise<void>,
): HTMLFormElement {
  const c = buildControls(settings);
  const caldav = caldavFieldset(c);
  const graph = graphFieldset(settings.graph);
  const showProvider = () => {
    caldav.hidden = c.provider.value !== 'caldav';
    graph.hidden = c.provider.value !== 'graph';
  };
  c.provider.addEventListener('change', showProvider);
  showProvider();
  const syncPast = () => {
    c.pastDays.disabled = c.fromToday.checked;
  };
  c.fromToday.addEventListener('change', syncPast);
  c.withPast.addEventListener('change', syncPast);
  syncPast();

  const form = h(
    'form',
    { class: 'form sync-form', id: 'sync-form', novalidate: true },
    h('div', { class: 'form-error', role: 'alert' }),
    generalFieldset(ctx, settings, c),
    caldav,
    graph,
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, st('save'))),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearFormErrors(form);
    syncApi
      .save(readForm(c))
      .then(async (saved) => {
        toast(st('saved'));
        c.password.value = '';
        c.password.placeholder = saved.caldav?.passwordSet ? st('passwordSet') : '';
        await refresh();
      })
      .catch((error: unknown) => showFormError(form, error));
  });
  return form;
}

interface Controls {
  enabled: HTMLInputElement;
  everyMinutes: HTMLInputElement;
  fromToday: HTMLInputElement;
  withPast: HTMLInputElement;
  pastDays: HTMLInputElement;
  futureDays: HTMLInputElement;
  exportAs: HTMLSelectElement;
  importAppointments: HTMLInputElement;
  importTasks: HTMLInputElement;
  provider: HTMLSelectElement;
  serverUrl: HTMLInputElement;
  username: HTMLInputElement;
  password: HTMLInputElement;
  calendarUrl: HTMLSelectElement;
}

function buildControls(s: SyncSettings): Controls {
  const number = (name: string, value: number, min: number) =>
    h('input', { type: 'number', name, min: String(min), step: '1', value: String(value) });
  const text = (name: string, value: string, more: Record<string, string> = {}) =>
    h('input', { type: 'text', name, value, ...more });
  const current = s.caldav?.calendarUrl;
  return {
    enabled: h('input', { type: 'checkbox', name: 'enabled', checked: s.enabled }),
    everyMinutes: number('everyMinutes', s.everyMinutes, 5),
    fromToday: h('input', {
      type: 'radio',
      name: 'past',
      value: 'today',
      checked: s.pastDays === null,
    }),
    withPast: h('input', {
      type: 'radio',
      name: 'past',
      value: 'days',
      checked: s.pastDays !== null,
    }),
    pastDays: number('pastDays', s.pastDays ?? 30, 1),
    futureDays: number('futureDays', s.futureDays, 1),
    exportAs: select(
      { name: 'exportAs' },
      (['appointments', 'tasks', 'manual'] as const).map((v) => [v, st(`exportAs.${v}`)] as const),
      s.exportAs,
    ),
    importAppointments: h('input', {
      type: 'checkbox',
      name: 'importAppointments',
      checked: s.importAppointments,
    }),
    importTasks: h('input', { type: 'checkbox', name: 'importTasks', checked: s.importTasks }),
    provider: select(
      { name: 'provider' },
      [
        ['', st('provider.none')],
        ['caldav', st('provider.caldav')],
        ['graph', st('provider.graph')],
      ],
      s.provider ?? '',
    ),
    serverUrl: text('serverUrl', s.caldav?.serverUrl ?? '', {
      type: 'url',
      placeholder: 'https://',
      autocomplete: 'url',
    }),
    username: text('username', s.caldav?.username ?? '', { autocomplete: 'username' }),
    password: h('input', {
      type: 'password',
      name: 'password',
      autocomplete: 'new-password',
      placeholder: s.caldav?.passwordSet ? st('passwordSet') : '',
      data: { set: String(s.caldav?.passwordSet ?? false) },
    }),
    calendarUrl: select(
      { name: 'calendarUrl' },
      [['', st('calendarNone')], ...(current ? [[current, current] as const] : [])],
      current ?? '',
    ),
  };
}

function generalFieldset(ctx: AppContext, s: SyncSettings, c: Controls): HTMLElement {
  const resource = ctx.resources.find((r) => r.id === s.resourceId);
  return h(
    'fieldset',
    { id: 'sync-general', class: 'sub' },
    h('legend', {}, st('general')),
    h('label', { class: 'check' }, c.enabled, st('enabled')),
    field({
      label: st('everyMinutes'),
      control: c.everyMinutes,
      name: 'everyMinutes',
      hint: st('everyMinutesHint'),
    }),
    h(
      'div',
      {
        class: 'field',
        data: { field: 'pastDays' },
        role: 'radiogroup',
        aria: { label: st('past') },
      },
      h('span', { class: 'field-title' }, st('past')),
      h('label', { class: 'check' }, c.fromToday, st('pastFromToday')),
      h('label', { class: 'check' }, c.withPast, st('pastDays'), ' ', c.pastDays),
      h('div', { class: 'field-error', data: { errorFor: 'pastDays' }, role: 'alert' }),
    ),
    field({ label: st('futureDays'), control: c.futureDays, name: 'futureDays' }),
    h(
      'div',
      { class: 'field' },
      h('span', { class: 'field-title' }, st('whoAmI')),
      h(
        'output',
        { id: 'sync-who', class: resource ? '' : 'muted' },
        resource ? resource.name : st('whoAmINone'),
      ),
      h('small', { class: 'hint' }, st('whoAmIHint')),
    ),
    field({ label: st('exportAs'), control: c.exportAs, name: 'exportAs' }),
    h(
      'div',
      { class: 'field' },
      h('span', { class: 'field-title' }, st('importTitle')),
      h('label', { class: 'check' }, c.importAppointments, st('importAppointments')),
      h('label', { class: 'check' }, c.importTasks, st('importTasks')),
    ),
    field({ label: st('provider'), control: c.provider, name: 'provider' }),
  );
}

function caldavFieldset(c: Controls): HTMLElement {
  const found = h('p', { class: 'muted', role: 'status', id: 'sync-discovered' });
  const discover = h('button', { type: 'button', id: 'sync-discover' }, st('discover'));
  discover.addEventListener('click', () => {
    const form = discover.closest('form');
    if (form) clearFormErrors(form);
    found.textContent = st('discovering');
    discover.disabled = true;
    syncApi
      .discover({
        serverUrl: c.serverUrl.value.trim(),
        username: c.username.value.trim(),
        password: c.password.value || undefined,
      })
      .then(({ calendars }) => {
        fillCalendars(c.calendarUrl, calendars);
        found.textContent = calendars.length
          ? st('found', { n: calendars.length })
          : st('noneFound');
      })
      .catch((error: unknown) => {
        found.textContent = '';
        if (form) showFormError(form, error);
      })
      .finally(() => {
        discover.disabled = false;
      });
  });
  return h(
    'fieldset',
    { id: 'sync-caldav', class: 'sub' },
    h('legend', {}, st('caldav')),
    field({ label: st('serverUrl'), control: c.serverUrl, name: 'serverUrl' }),
    h(
      'div',
      { class: 'two' },
      field({ label: st('username'), control: c.username, name: 'username' }),
      field({ label: st('password'), control: c.password, name: 'password' }),
    ),
    h('div', { class: 'buttons' }, discover, found),
    field({ label: st('calendar'), control: c.calendarUrl, name: 'calendarUrl' }),
  );
}

/** Lists the calendars found, keeping the chosen one, else picking the only one found. */
function fillCalendars(picker: HTMLSelectElement, calendars: DiscoveredCalendar[]): void {
  const chosen = picker.value;
  clear(picker);
  picker.append(h('option', { value: '' }, st('calendarNone')));
  for (const calendar of calendars) {
    const kinds = calendar.kinds.map((kind) => st(kind === 'todo' ? 'kind.todo' : 'kind.event'));
    const name = calendar.displayName || calendar.url;
    picker.append(h('option', { value: calendar.url }, `${name} (${kinds.join(', ')})`));
  }
  const urls = calendars.map((calendar) => calendar.url);
  if (urls.includes(chosen)) picker.value = chosen;
  else if (urls.length === 1) picker.value = urls[0] as string;
}

function graphFieldset(graph: GraphAccount | null): HTMLElement {
  const connected = graph?.connected === true;
  const needsReconnect = graph?.needsReconnect === true;
  let state = st('graphNotConnected');
  if (needsReconnect) state = st('graphNeedsReconnect', { account: graph?.account ?? '' });
  if (connected) {
    state = graph?.account
      ? st('graphConnected', { account: graph.account })
      : st('graphConnectedNoName');
  }
  // A plain link: the server answers with a redirection to Microsoft's sign-in page (PKCE),
  // which comes back to this page when done.
  // TODO(the API lists Graph calendars and To Do lists): offer them in a picker, as for
  // CalDAV; the default calendar and list are used meanwhile. When the administrator has not
  // set Microsoft 365 up, the link lands on the server's JSON error instead of this page.
  const connect = h(
    'a',
    { class: 'button', id: 'sync-graph-connect', href: '/api/sync/graph/connect' },
    connected || needsReconnect ? st('reconnect') : st('connect'),
  );
  return h(
    'fieldset',
    { id: 'sync-graph', class: 'sub' },
    h('legend', {}, st('graph')),
    h(
      'div',
      { class: 'buttons' },
      h(
        'span',
        {
          id: 'sync-graph-state',
          data: { connected: String(connected), needsReconnect: String(needsReconnect) },
        },
        state,
      ),
      connect,
    ),
  );
}

function readForm(c: Controls): Record<string, unknown> {
  const body: Record<string, unknown> = {
    enabled: c.enabled.checked,
    everyMinutes: Number(c.everyMinutes.value),
    pastDays: c.fromToday.checked ? null : Number(c.pastDays.value),
    futureDays: Number(c.futureDays.value),
    exportAs: c.exportAs.value,
    importAppointments: c.importAppointments.checked,
    importTasks: c.importTasks.checked,
    provider: c.provider.value || null,
  };
  const serverUrl = c.serverUrl.value.trim();
  if (serverUrl) {
    const caldav: Record<string, unknown> = { serverUrl, username: c.username.value.trim() };
    if (c.calendarUrl.value) caldav.calendarUrl = c.calendarUrl.value;
    // Write-only: sent only when typed, so an empty box keeps the stored password.
    if (c.password.value) caldav.password = c.password.value;
    body.caldav = caldav;
  }
  return body;
}

function clearFormErrors(form: HTMLElement): void {
  for (const el of form.querySelectorAll<HTMLElement>('[data-error-for]')) el.textContent = '';
  for (const el of form.querySelectorAll('.invalid')) el.classList.remove('invalid');
  const general = form.querySelector<HTMLElement>('.form-error');
  if (general) general.textContent = '';
}

/** Beside the field the server names (`caldav.serverUrl` is the `serverUrl` box), else on top. */
function showFormError(form: HTMLElement, error: unknown): void {
  const text = syncErrorText(error);
  const named = error instanceof ApiError ? error.field : null;
  const candidates = named ? [named, named.split('.').pop() ?? named, named.split('.')[0]] : [];
  for (const name of candidates) {
    const spot = form.querySelector<HTMLElement>(`[data-error-for="${CSS.escape(name ?? '')}"]`);
    if (!spot) continue;
    spot.textContent = text;
    spot.closest('.field')?.classList.add('invalid');
    return;
  }
  const general = form.querySelector<HTMLElement>('.form-error');
  if (general) general.textContent = text;
}

function runButton(refresh: () => Promise<void>): HTMLButtonElement {
  const button = h('button', { type: 'button', id: 'sync-run', class: 'primary' }, st('runNow'));
  button.addEventListener('click', () => {
    button.disabled = true;
    button.textContent = st('running');
    syncApi
      .run()
      .then((run) => {
        if (run.status === 'ok') toast(st('runDone', { summary: countsText(run.counts) }));
        else toast(st('runFailed'), 'error');
      })
      .catch((error: unknown) => toast(syncErrorText(error), 'error'))
      .then(refresh)
      .catch((error: unknown) => toast(syncErrorText(error), 'error'))
      .finally(() => {
        button.disabled = false;
        button.textContent = st('runNow');
      });
  });
  return button;
}

/** Forgets what the sync knew of the calendar, once the user confirms (see the API route). */
function startOverButton(refresh: () => Promise<void>): HTMLButtonElement {
  const button = h('button', { type: 'button', id: 'sync-start-over' }, st('startOver'));
  button.addEventListener('click', () => {
    if (!window.confirm(st('startOverConfirm'))) return;
    button.disabled = true;
    syncApi
      .startOver()
      .then(() => toast(st('startOverDone')))
      .then(refresh)
      .catch((error: unknown) => toast(syncErrorText(error), 'error'))
      .finally(() => {
        button.disabled = false;
      });
  });
  return button;
}

function drawStatus(status: HTMLElement, s: SyncSettings): void {
  const parts = [
    s.lastRun
      ? st('lastRun', { when: when(s.lastRun.startedAt), status: statusText(s.lastRun.status) })
      : st('neverRun'),
  ];
  if (s.enabled && s.nextRunAt) parts.push(st('nextRun', { when: when(s.nextRunAt) }));
  status.textContent = parts.join(' ');
}

function drawRuns(log: HTMLElement, runs: SyncRun[]): void {
  clear(log);
  log.append(h('h3', {}, st('runs')));
  if (runs.length === 0) {
    log.append(h('p', { class: 'muted' }, st('noRuns')));
    return;
  }
  runs.forEach((run, index) => log.append(runEntry(run, index === 0)));
  void nameTasks(log);
}

/** The calendar item's file name, readable: `/cal/a%40b.ics` is `a@b.ics`. */
function refName(ref: string | null): string | null {
  if (!ref) return null;
  const last = ref.split('/').filter(Boolean).pop() ?? ref;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/**
 * Most recent tasks named in the log, fetched at most once each.
 * TODO(the run log's actions carry the task's label): drop these requests, one per task.
 */
const MAX_NAMED = 50;

/** Puts each task's label in place of its id in the log, for the tasks that still exist. */
async function nameTasks(log: HTMLElement): Promise<void> {
  const cells = [...log.querySelectorAll<HTMLElement>('td.sync-item[data-task-id]')];
  const ids = [...new Set(cells.map((cell) => cell.dataset.taskId as string))].slice(0, MAX_NAMED);
  const labels = new Map<string, string>();
  await Promise.all(
    ids.map((id) =>
      api
        .task(id)
        .then((task) => labels.set(id, task.masked ? t('planning.private') : task.label))
        // A task deleted since (or not visible to this user) keeps showing its item's name.
        .catch(() => undefined),
    ),
  );
  for (const cell of cells) {
    const label = labels.get(cell.dataset.taskId as string);
    if (label === undefined) continue;
    cell.title = cell.textContent ?? '';
    cell.textContent = label;
  }
}

function runEntry(run: SyncRun, open: boolean): HTMLElement {
  const seconds =
    run.finishedAt === null ? null : (toMillis(run.finishedAt) - toMillis(run.startedAt)) / 1000;
  const summary = [
    when(run.startedAt),
    statusText(run.status),
    countsText(run.counts),
    seconds === null ? null : st('duration', { seconds: seconds.toLocaleString(locale()) }),
  ].filter((part): part is string => part !== null);
  const entry = h(
    'details',
    { class: `sync-run status-${run.status}`, data: { runId: run.id, status: run.status } },
    h('summary', {}, summary.join(' · ')),
    actionsTable(run.actions ?? []),
    errorsList(run.errors ?? []),
  );
  entry.open = open;
  return entry;
}

function actionsTable(actions: SyncRunAction[]): HTMLElement | null {
  if (actions.length === 0) return null;
  const rows = actions.map((action) =>
    h(
      'tr',
      { data: { action: action.action, side: action.side } },
      h('td', {}, st(actionKey(action.action))),
      h('td', {}, st(action.side === 'planning' ? 'side.planning' : 'side.calendar')),
      h(
        'td',
        { class: 'sync-item', data: action.taskId ? { taskId: action.taskId } : {} },
        action.label ?? refName(action.ref) ?? action.taskId ?? '',
      ),
      h('td', {}, reasonText(action.reason)),
      h('td', {}, action.conflict ? conflictText(action.conflict) : ''),
    ),
  );
  return h(
    'div',
    { class: 'table-scroller' },
    h(
      'table',
      { class: 'list sync-actions' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...[st('what'), st('where'), st('item'), st('why'), st('conflict')].map((x) =>
            h('th', {}, x),
          ),
        ),
      ),
      h('tbody', {}, ...rows),
    ),
  );
}

function errorsList(errors: SyncRunError[]): HTMLElement | null {
  if (errors.length === 0) return null;
  return h(
    'div',
    { class: 'sync-errors' },
    h('h4', {}, st('errors')),
    h(
      'ul',
      {},
      ...errors.map((error) =>
        h(
          'li',
          { class: 'error', data: { code: error.code } },
          [codeText(error.code, error.message), error.ref ?? error.taskId ?? null]
            .filter(Boolean)
            .join(' — '),
          error.message && codeText(error.code, error.message) !== error.message
            ? h('div', { class: 'muted' }, error.message)
            : null,
          error.remote
            ? h(
                'div',
                { class: 'muted remote' },
                st('serverAnswered', { answer: remoteText(error.remote) }),
              )
            : null,
        ),
      ),
    ),
  );
}

/** What the remote side said: status, href, its own code or body, as `name: value` pairs. */
function remoteText(remote: Record<string, unknown>): string {
  return Object.entries(remote)
    .filter(([, value]) => value !== undefined && value !== null && value !== '')
    .map(([name, value]) => `${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');
}

function conflictText(conflict: { winner: Side; overwritten: string }): string {
  return st('conflictWon', {
    side: st(conflict.winner === 'planning' ? 'winner.planning' : 'winner.calendar'),
    overwritten: reasonText(conflict.overwritten),
  });
}

function actionKey(action: string): SyncTextKey {
  const key = `action.${action}` as SyncTextKey;
  return (COUNT_ORDER as readonly string[]).includes(action) ? key : 'action.skipped';
}

function countsText(counts: Record<string, number>): string {
  const parts = COUNT_ORDER.filter((kind) => (counts[kind] ?? 0) > 0).map((kind) =>
    st(`count.${kind}`, { n: counts[kind] ?? 0 }),
  );
  return parts.length ? parts.join(', ') : st('nothing');
}

function statusText(status: string): string {
  return status === 'ok' ? st('status.ok') : st('status.failed');
}

function toMillis(value: string | number): number {
  return typeof value === 'number' ? value : Date.parse(value);
}

function when(value: string | number): string {
  return new Date(toMillis(value)).toLocaleString(locale(), {
    dateStyle: 'short',
    timeStyle: 'medium',
  });
}

/**
 * Microsoft's sign-in comes back to `/?graph=connected#options/outlook` (or `graph=error`):
 * show the outcome and open this page. Call before the first render.
 */
export function followGraphReturn(): void {
  const params = new URLSearchParams(location.search);
  const outcome = params.get('graph');
  if (!outcome) return;
  history.replaceState(null, '', `${location.pathname}#/options/sync`);
  window.setTimeout(() => {
    if (outcome === 'connected') toast(st('graphDone'));
    else toast(st('graphFailed', { reason: params.get('reason') ?? '' }), 'error');
  }, 500);
}

// ---- Manual mode: the task's "send to calendar" menu (SPEC 3.3) ----

/**
 * The user's settings as last read; the menus show only when they say "manual". Kept per
 * user: another login in the same page reads its own.
 */
let knownFor: string | null = null;
let known: SyncSettings | null = null;
let loading: Promise<SyncSettings | null> | null = null;

function remember(userId: string, settings: SyncSettings): void {
  knownFor = userId;
  known = settings;
  loading = Promise.resolve(settings);
}

function loadSettings(userId: string): Promise<SyncSettings | null> {
  if (knownFor !== userId) {
    knownFor = userId;
    known = null;
    loading = null;
  }
  loading ??= syncApi
    .settings()
    .then((settings) => {
      known = settings;
      return settings;
    })
    .catch(() => {
      // No sync for this user (or the server has none): the menus stay hidden, and the
      // next planning render asks again.
      loading = null;
      return null;
    });
  return loading;
}

function manualMode(settings: SyncSettings | null): boolean {
  return settings?.exportAs === 'manual' && settings.provider !== null;
}

/**
 * Gives the task bars under `root` the context menu of manual mode. The settings are read
 * now, so that the right click, which must be answered at once, knows the mode.
 */
export function watchTaskSyncMenu(ctx: AppContext, root: HTMLElement): void {
  void loadSettings(ctx.me.user.id);
  root.addEventListener('contextmenu', (event) => {
    const bar = (event.target as Element | null)?.closest<HTMLElement>('.bar[data-task-id]');
    const taskId = bar?.dataset.taskId;
    if (!bar || !taskId || bar.classList.contains('masked') || !manualMode(known)) return;
    event.preventDefault();
    const at =
      event.clientX || event.clientY
        ? { x: event.clientX, y: event.clientY }
        : cornerOf(bar.getBoundingClientRect());
    openSyncMenu({ taskId, at, returnFocus: bar });
  });
}

/** Adds the calendar button to the task window, for saved tasks in manual mode. */
export function registerTaskSyncAction(): void {
  registerTaskAction(({ ctx, task, toolbar }) => {
    if (!task || task.masked) return;
    void loadSettings(ctx.me.user.id).then((settings) => {
      if (manualMode(settings) && toolbar.isConnected) toolbar.append(taskWindowButton(task));
    });
  });
}

function taskWindowButton(task: TaskJson): HTMLButtonElement {
  const label = st('syncMenu');
  const button = h(
    'button',
    {
      type: 'button',
      class: 'icon',
      title: label,
      aria: { label, haspopup: 'menu' },
      data: { action: 'sync' },
    },
    '📅',
  );
  button.addEventListener('click', () =>
    openSyncMenu({
      taskId: task.id,
      at: cornerOf(button.getBoundingClientRect()),
      returnFocus: button,
    }),
  );
  return button;
}

function cornerOf(rect: DOMRect): { x: number; y: number } {
  return { x: rect.left, y: rect.bottom };
}

function openSyncMenu(options: {
  taskId: string;
  at: { x: number; y: number };
  returnFocus: HTMLElement;
}): void {
  document.querySelector('.context-menu')?.remove();
  const item = (key: SyncTextKey, action: string, run: () => Promise<void>, done: SyncTextKey) => {
    const button = h(
      'button',
      { type: 'button', role: 'menuitem', data: { syncAction: action } },
      st(key),
    );
    button.addEventListener('click', () => {
      close();
      run()
        .then(() => toast(st(done)))
        .catch((error: unknown) => toast(syncErrorText(error), 'error'));
    });
    return button;
  };
  const menu = h(
    'div',
    { class: 'context-menu', role: 'menu', id: 'task-sync-menu', aria: { label: st('syncMenu') } },
    item('sendEvent', 'event', () => syncApi.sendTask(options.taskId, 'event'), 'sentEvent'),
    item('sendTodo', 'todo', () => syncApi.sendTask(options.taskId, 'todo'), 'sentTodo'),
    item('stopSync', 'stop', () => syncApi.stopTask(options.taskId), 'stopped'),
  );
  const dialog = options.returnFocus.closest('dialog');
  // Inside the modal task window, the menu must live in the dialog to be clickable.
  (dialog ?? document.body).append(menu);
  const { width, height } = menu.getBoundingClientRect();
  menu.style.left = `${Math.max(0, Math.min(options.at.x, window.innerWidth - width - 4))}px`;
  menu.style.top = `${Math.max(0, Math.min(options.at.y, window.innerHeight - height - 4))}px`;

  const outside = (event: Event) => {
    if (!menu.contains(event.target as Node)) close();
  };
  const keys = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close();
      options.returnFocus.focus();
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      moveFocus(menu, event.key === 'ArrowDown' ? 1 : -1);
    }
  };
  function close(): void {
    menu.remove();
    document.removeEventListener('pointerdown', outside, true);
    window.removeEventListener('scroll', close, true);
  }
  menu.addEventListener('keydown', keys);
  document.addEventListener('pointerdown', outside, true);
  window.addEventListener('scroll', close, true);
  menu.querySelector<HTMLElement>('[role=menuitem]')?.focus();
}

function moveFocus(menu: HTMLElement, step: number): void {
  const items = [...menu.querySelectorAll<HTMLElement>('[role=menuitem]')];
  const index = items.indexOf(document.activeElement as HTMLElement);
  items[(index + step + items.length) % items.length]?.focus();
}
