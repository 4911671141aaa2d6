/**
 * The alarm window (alarme visuelle): listens to /api/reminders/stream while a user is
 * logged in, lists the due reminders with their task's label, start, client and resources,
 * and offers "open task", "snooze" and "dismiss". A reminder dismissed or snoozed on another
 * device of the user closes here too (the server says so on the stream). When the browser
 * allows it, a desktop notification is shown as well.
 *
 * Importing this module is enough: it follows the session by watching for the logged-in
 * header (#current-user) and connects or disconnects accordingly.
 */
import { api, request } from './api.js';
import { loadContext } from './context.js';
import { clear, h } from './dom.js';
import { language } from './i18n.js';
import { openTaskDialog } from './task-dialog.js';
import { formatDate, formatDateTime } from './time.js';

export interface ReminderJson {
  id: string;
  taskId: string;
  label: string;
  start: string;
  end: string;
  allDay: boolean;
  clientName: string | null;
  resourceNames: string[];
  dueAt: string;
}

const STRINGS = {
  fr: {
    title: 'Rappels',
    open: 'Ouvrir la tâche',
    snooze5: 'Dans 5 min',
    snooze10: 'Dans 10 min',
    snooze60: 'Dans 1 h',
    dismiss: 'Ignorer',
    dismissAll: 'Tout ignorer',
    notify: 'Notifications du bureau',
    client: 'Client',
    resources: 'Ressources',
    // French typography puts a space before a colon; English does not.
    colon: ' : ',
    allDay: 'journée entière',
  },
  en: {
    title: 'Reminders',
    open: 'Open task',
    snooze5: 'In 5 min',
    snooze10: 'In 10 min',
    snooze60: 'In 1 h',
    dismiss: 'Dismiss',
    dismissAll: 'Dismiss all',
    notify: 'Desktop notifications',
    client: 'Client',
    resources: 'Resources',
    colon: ': ',
    allDay: 'all day',
  },
} as const;

type StringKey = keyof (typeof STRINGS)['en'];

const s = (key: StringKey): string => STRINGS[language()][key];

const STREAM_URL = '/api/reminders/stream';
/** How often the module looks whether someone logged in or out. */
const WATCH_MS = 1000;

interface State {
  source: EventSource | null;
  zone: string;
  reminders: Map<string, ReminderJson>;
  window: HTMLElement | null;
}

const state: State = { source: null, zone: 'UTC', reminders: new Map(), window: null };
let watching = false;

/** Connects while the page shows a logged-in user, disconnects after logging out. */
export function watchReminders(): void {
  if (watching) return;
  watching = true;
  const check = () => {
    const loggedIn = document.getElementById('current-user') !== null;
    if (loggedIn && !state.source) connect();
    if (!loggedIn && state.source) disconnect();
  };
  check();
  setInterval(check, WATCH_MS);
}

function connect(): void {
  const source = new EventSource(STREAM_URL, { withCredentials: true });
  state.source = source;
  void api
    .me()
    .then((me) => {
      const zone = me.settings['company.timeZone'];
      if (typeof zone === 'string') state.zone = zone;
      render();
    })
    .catch(() => undefined);
  source.addEventListener('snapshot', (event) => {
    const { reminders } = JSON.parse((event as MessageEvent<string>).data) as {
      reminders: ReminderJson[];
    };
    state.reminders = new Map(reminders.map((r) => [r.id, r]));
    render();
  });
  source.addEventListener('reminder', (event) => {
    const { reminder } = JSON.parse((event as MessageEvent<string>).data) as {
      reminder: ReminderJson;
    };
    state.reminders.set(reminder.id, reminder);
    render();
    notify(reminder);
  });
  source.addEventListener('closed', (event) => {
    const { id } = JSON.parse((event as MessageEvent<string>).data) as { id: string };
    state.reminders.delete(id);
    render();
  });
  source.addEventListener('error', () => {
    // The browser reconnects by itself, except after an HTTP error (logged out): then the
    // watcher opens a new stream once someone is logged in again.
    if (source.readyState === EventSource.CLOSED && state.source === source) state.source = null;
  });
}

function disconnect(): void {
  state.source?.close();
  state.source = null;
  state.reminders.clear();
  render();
}

function render(): void {
  if (state.reminders.size === 0) {
    state.window?.remove();
    state.window = null;
    return;
  }
  const panel = state.window ?? createWindow();
  const list = panel.querySelector('.reminder-list') as HTMLElement;
  clear(list);
  const byDue = [...state.reminders.values()].sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  for (const reminder of byDue) list.append(item(reminder));
}

function createWindow(): HTMLElement {
  const panel = h(
    'aside',
    {
      id: 'reminder-alarm',
      class: 'reminder-alarm',
      role: 'alertdialog',
      aria: { label: s('title') },
    },
    h('h2', {}, s('title')),
    h('ul', { class: 'reminder-list' }),
    h(
      'div',
      { class: 'buttons' },
      'Notification' in window && Notification.permission === 'default'
        ? h('button', { type: 'button', class: 'link', on: { click: askPermission } }, s('notify'))
        : null,
      h(
        'button',
        { type: 'button', class: 'reminder-dismiss-all', on: { click: dismissAll } },
        s('dismissAll'),
      ),
    ),
  );
  // Set through the style object: the page's Content-Security-Policy refuses style attributes.
  Object.assign(panel.style, {
    position: 'fixed',
    right: '16px',
    bottom: '16px',
    zIndex: '1000',
    width: '360px',
    maxHeight: '60vh',
    overflowY: 'auto',
    background: '#fff',
    border: '1px solid #c33',
    borderRadius: '6px',
    boxShadow: '0 4px 16px rgba(0,0,0,.25)',
    padding: '8px 12px',
  });
  document.body.append(panel);
  state.window = panel;
  return panel;
}

function item(reminder: ReminderJson): HTMLElement {
  const when = reminder.allDay
    ? `${formatDate(reminder.start)} (${s('allDay')})`
    : formatDateTime(reminder.start, state.zone);
  const button = (label: StringKey, action: () => Promise<unknown>, name: string) =>
    h(
      'button',
      {
        type: 'button',
        data: { action: name },
        on: { click: () => void action().catch(() => undefined) },
      },
      s(label),
    );
  return h(
    'li',
    { class: 'reminder-item', data: { reminderId: reminder.id, taskId: reminder.taskId } },
    h('strong', { class: 'reminder-label' }, reminder.label),
    h('div', { class: 'reminder-start' }, when),
    reminder.clientName
      ? h('div', { class: 'reminder-client' }, `${s('client')}${s('colon')}${reminder.clientName}`)
      : null,
    reminder.resourceNames.length > 0
      ? h(
          'div',
          { class: 'reminder-resources' },
          `${s('resources')}${s('colon')}${reminder.resourceNames.join(', ')}`,
        )
      : null,
    h(
      'div',
      { class: 'buttons' },
      button('open', () => openTask(reminder.taskId), 'open'),
      button('snooze5', () => snooze(reminder.id, 5), 'snooze-5'),
      button('snooze10', () => snooze(reminder.id, 10), 'snooze-10'),
      button('snooze60', () => snooze(reminder.id, 60), 'snooze-60'),
      button('dismiss', () => dismiss(reminder.id), 'dismiss'),
    ),
  );
}

async function snooze(id: string, minutes: number): Promise<void> {
  await request('POST', `/api/reminders/${encodeURIComponent(id)}/snooze`, { body: { minutes } });
  state.reminders.delete(id);
  render();
}

async function dismiss(id: string): Promise<void> {
  await request('POST', `/api/reminders/${encodeURIComponent(id)}/dismiss`);
  state.reminders.delete(id);
  render();
}

async function dismissAll(): Promise<void> {
  await Promise.all([...state.reminders.keys()].map((id) => dismiss(id)));
}

async function openTask(taskId: string): Promise<void> {
  const [ctx, task] = await Promise.all([loadContext(), api.task(taskId)]);
  await openTaskDialog(ctx, { kind: 'edit', task });
}

function askPermission(): void {
  void Notification.requestPermission().then(() => render());
}

function notify(reminder: ReminderJson): void {
  if (!('Notification' in window) || Notification.permission !== 'granted') return;
  const when = reminder.allDay
    ? formatDate(reminder.start)
    : formatDateTime(reminder.start, state.zone);
  const body = [when, reminder.clientName, reminder.resourceNames.join(', ')]
    .filter(Boolean)
    .join(' · ');
  // The tag makes a second device's or a re-raised notification replace the first.
  const shown = new Notification(reminder.label, { body, tag: `ordo-reminder-${reminder.id}` });
  shown.onclick = () => {
    window.focus();
    void openTask(reminder.taskId).catch(() => undefined);
  };
}

watchReminders();
