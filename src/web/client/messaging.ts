/**
 * Task e-mails and SMS in the page: the envelope and phone buttons of the task window, the
 * message log (#/messages), Options → Messaging with its test e-mail (#/admin/messaging) and
 * Data → Task description, the fields the e-mail holds, with a preview (#/admin/task-description).
 */
import { ApiError, request } from './api.js';
import type { TaskJson } from './api.js';
import { pageHead, table } from './cards.js';
import { clear, h } from './dom.js';
import { errorText, language } from './i18n.js';
import { toast } from './ui.js';

interface QueueResult {
  to: string[];
  cc: string[];
  skipped: { role: string; message: string }[];
}

interface MessageEntry {
  id: string;
  purpose: string;
  taskId: string | null;
  recipients: string[];
  subject: string;
  status: 'queued' | 'sending' | 'sent' | 'failed';
  attempts: number;
  lastResponse: string | null;
  createdAt: number;
  sentAt: number | null;
}

interface SettingView {
  key: string;
  value: unknown;
  secret: boolean;
  isSet?: boolean;
}

const TEXT = {
  en: {
    mail: 'E-mail the task',
    sms: 'Text the task',
    queuedMail: 'E-mail on its way to {to}',
    queuedSms: 'Text on its way to {to}',
    skipped: 'Not sent: {why}',
    messages: 'Messages',
    when: 'When',
    to: 'To',
    subject: 'Subject',
    status: 'Status',
    attempts: 'Attempts',
    answer: 'Last server answer',
    resend: 'Send again',
    none: 'No message yet.',
    'status.queued': 'queued',
    'status.sending': 'sending',
    'status.sent': 'sent',
    'status.failed': 'failed',
    messaging: 'Messaging',
    save: 'Save',
    saved: 'Saved',
    testTo: 'Send a test e-mail to',
    test: 'Send a test e-mail',
    testOk: 'The server answered: {answer}',
    passwordKept: '(stored; leave empty to keep)',
    taskDescription: 'Task description',
    available: 'Fields that can be sent',
    chosen: 'Fields that will be sent',
    add: 'Add →',
    remove: '← Remove',
    up: '↑',
    down: '↓',
    previewTask: 'Preview with the task id',
    preview: 'Preview',
  },
  fr: {
    mail: 'Envoyer la tâche par e-mail',
    sms: 'Envoyer la tâche par SMS',
    queuedMail: 'E-mail en route vers {to}',
    queuedSms: 'SMS en route vers {to}',
    skipped: 'Non envoyé : {why}',
    messages: 'Messages',
    when: 'Quand',
    to: 'À',
    subject: 'Objet',
    status: 'État',
    attempts: 'Essais',
    answer: 'Dernière réponse du serveur',
    resend: 'Renvoyer',
    none: 'Aucun message pour le moment.',
    'status.queued': 'en attente',
    'status.sending': 'en cours',
    'status.sent': 'envoyé',
    'status.failed': 'échec',
    messaging: 'Messagerie',
    save: 'Enregistrer',
    saved: 'Enregistré',
    testTo: 'Envoyer un e-mail de test à',
    test: 'Envoyer un e-mail de test',
    testOk: 'Le serveur a répondu : {answer}',
    passwordKept: '(enregistré ; laisser vide pour le garder)',
    taskDescription: 'Description tâche',
    available: 'Champs pouvant être envoyés',
    chosen: 'Champs qui seront envoyés',
    add: 'Ajouter →',
    remove: '← Retirer',
    up: '↑',
    down: '↓',
    previewTask: "Aperçu avec l'id de la tâche",
    preview: 'Aperçu',
  },
} as const;

type Key = keyof (typeof TEXT)['en'];

function m(key: Key, vars: Record<string, string | number> = {}): string {
  const text: string = TEXT[language()][key];
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ''));
}

/** What an error shows: the server's message names the card or the setting to fix. */
function failureText(error: unknown): string {
  return error instanceof ApiError && error.message ? error.message : errorText(error);
}

function resultText(kind: 'mail' | 'sms', result: QueueResult): string {
  const to = [...result.to, ...result.cc].join(', ');
  const lines = [m(kind === 'mail' ? 'queuedMail' : 'queuedSms', { to })];
  for (const skipped of result.skipped) lines.push(m('skipped', { why: skipped.message }));
  return lines.join(' — ');
}

/** The envelope and phone buttons of the task window, for a task that exists. */
export function fillTaskActions(task: TaskJson | null, toolbar: Element | null): void {
  if (!task || task.masked || !toolbar) return;
  const button = (kind: 'mail' | 'sms', symbol: string) => {
    const label = m(kind);
    const element = h(
      'button',
      { type: 'button', class: 'icon', title: label, aria: { label }, data: { action: kind } },
      symbol,
    );
    element.addEventListener('click', () => {
      element.disabled = true;
      request<QueueResult>('POST', `/api/tasks/${encodeURIComponent(task.id)}/${kind}`)
        .then((result) => toast(resultText(kind, result)))
        .catch((error: unknown) => toast(failureText(error), 'error'))
        .finally(() => {
          element.disabled = false;
        });
    });
    return element;
  };
  toolbar.append(button('mail', '✉'), button('sms', '📱'));
}

/** The message log: an administrator sees every message, a user those about their tasks. */
export async function renderMessages(root: HTMLElement): Promise<void> {
  const { messages } = await request<{ messages: MessageEntry[] }>('GET', '/api/messages');
  const rerender = () => void renderMessages(root);
  const rows = messages.map((message) => {
    const resend =
      message.status === 'failed'
        ? h('button', { type: 'button', data: { resend: message.id } }, m('resend'))
        : null;
    resend?.addEventListener('click', () => {
      request('POST', `/api/messages/${encodeURIComponent(message.id)}/resend`)
        .then(rerender)
        .catch((error: unknown) => toast(failureText(error), 'error'));
    });
    return h(
      'tr',
      { data: { messageId: message.id, status: message.status } },
      h('td', {}, new Date(message.sentAt ?? message.createdAt).toLocaleString(language())),
      h('td', {}, message.recipients.join(', ')),
      h('td', {}, message.subject),
      h('td', {}, m(`status.${message.status}`)),
      h('td', {}, message.attempts),
      h('td', {}, message.lastResponse ?? ''),
      h('td', {}, resend),
    );
  });
  clear(root);
  root.append(
    pageHead(m('messages'), null, () => undefined),
    rows.length === 0
      ? h('p', { class: 'muted' }, m('none'))
      : table(
          [m('when'), m('to'), m('subject'), m('status'), m('attempts'), m('answer'), ''],
          rows,
        ),
  );
}

/** Options → Messaging: every mail.* and sms.* setting on one form, and the test e-mail. */
export async function renderMessaging(root: HTMLElement): Promise<void> {
  const { settings } = await request<{ settings: SettingView[] }>('GET', '/api/messages/settings');
  const shown = settings.filter((s) => s.key !== 'mail.fields');
  const controls = new Map(shown.map((s) => [s.key, settingControl(s)]));
  const error = h('div', { class: 'form-error', role: 'alert' });
  const form = h(
    'form',
    { class: 'form', id: 'messaging-form' },
    error,
    ...shown.map((s) =>
      h('label', { class: 'field' }, h('span', {}, s.key), controls.get(s.key) ?? null),
    ),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, m('save'))),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.textContent = '';
    const body: Record<string, unknown> = {};
    try {
      for (const s of shown) body[s.key] = readControl(s, controls.get(s.key));
    } catch (failure) {
      error.textContent = failure instanceof Error ? failure.message : String(failure);
      return;
    }
    request('PUT', '/api/messages/settings', { body })
      .then(() => toast(m('saved')))
      .catch((failure: unknown) => {
        error.textContent = failureText(failure);
      });
  });

  clear(root);
  root.append(
    pageHead(m('messaging'), null, () => undefined),
    form,
    testForm(),
  );
}

function testForm(): HTMLElement {
  const to = h('input', { type: 'email', name: 'to', required: true, id: 'test-to' });
  const answer = h('p', { class: 'muted', role: 'status', id: 'test-answer' });
  const form = h(
    'form',
    { class: 'form', id: 'test-form' },
    h('label', { class: 'field' }, h('span', {}, m('testTo')), to),
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, m('test'))),
    answer,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    answer.textContent = '…';
    request<{ response: string }>('POST', '/api/messages/test', { body: { to: to.value.trim() } })
      .then((result) => {
        answer.textContent = m('testOk', { answer: result.response });
      })
      .catch((failure: unknown) => {
        answer.textContent = failureText(failure);
      });
  });
  return form;
}

const CHOICES: Record<string, string[]> = {
  'mail.transport': ['smtp', 'graph'],
  'mail.smtp.security': ['starttls', 'tls', 'none'],
  'mail.recipients': ['resource', 'client', 'both'],
  'sms.route': ['gateway', 'http'],
};

function settingControl(setting: SettingView): HTMLElement {
  const choices = CHOICES[setting.key];
  if (choices) {
    const control = h('select', { name: setting.key });
    for (const choice of choices) control.append(h('option', { value: choice }, choice));
    control.value = String(setting.value);
    return control;
  }
  if (typeof setting.value === 'boolean') {
    return h('input', { type: 'checkbox', name: setting.key, checked: setting.value });
  }
  if (Array.isArray(setting.value)) {
    return h('textarea', { name: setting.key, rows: 4, value: JSON.stringify(setting.value) });
  }
  if (setting.secret) {
    return h('input', {
      type: 'password',
      name: setting.key,
      autocomplete: 'new-password',
      placeholder: setting.isSet ? m('passwordKept') : '',
    });
  }
  const type = typeof setting.value === 'number' ? 'number' : 'text';
  return h('input', { type, name: setting.key, value: String(setting.value ?? '') });
}

function readControl(setting: SettingView, control: HTMLElement | undefined): unknown {
  if (control instanceof HTMLInputElement && control.type === 'checkbox') return control.checked;
  const value = (control as HTMLInputElement | undefined)?.value ?? '';
  if (setting.secret) return value === '' ? null : value;
  if (Array.isArray(setting.value)) return JSON.parse(value) as unknown;
  if (typeof setting.value === 'number') return Number(value);
  return value;
}

/** Data → Task description: two lists, the order of the chosen fields, and a preview. */
export async function renderTaskDescription(root: HTMLElement): Promise<void> {
  const data = await request<{ settings: SettingView[]; fields: string[] }>(
    'GET',
    '/api/messages/settings',
  );
  let chosen = [...((data.settings.find((s) => s.key === 'mail.fields')?.value as string[]) ?? [])];
  const available = h('select', { id: 'fields-available', size: 10 });
  const selected = h('select', { id: 'fields-chosen', size: 10 });
  const preview = h('pre', { class: 'preview', id: 'mail-preview' });
  const taskId = h('input', { type: 'text', id: 'preview-task' });

  const draw = () => {
    clear(available);
    clear(selected);
    for (const field of data.fields.filter((f) => !chosen.includes(f))) {
      available.append(h('option', { value: field }, field));
    }
    for (const field of chosen) selected.append(h('option', { value: field }, field));
  };
  const move = (delta: number) => {
    const index = chosen.indexOf(selected.value);
    const target = index + delta;
    if (index < 0 || target < 0 || target >= chosen.length) return;
    [chosen[index], chosen[target]] = [chosen[target] as string, chosen[index] as string];
    draw();
    selected.value = chosen[target] as string;
  };
  const button = (label: Key, action: () => void) => {
    const element = h('button', { type: 'button' }, m(label));
    element.addEventListener('click', action);
    return element;
  };
  const showPreview = () => {
    if (taskId.value.trim() === '') return;
    const query = new URLSearchParams({ taskId: taskId.value.trim(), fields: chosen.join(',') });
    request<{ subject: string; text: string }>('GET', `/api/messages/preview?${query}`)
      .then((result) => {
        preview.textContent = `${result.subject}\n\n${result.text}`;
      })
      .catch((failure: unknown) => {
        preview.textContent = failureText(failure);
      });
  };

  draw();
  clear(root);
  root.append(
    pageHead(m('taskDescription'), null, () => undefined),
    h(
      'div',
      { class: 'field-lists' },
      h('label', { class: 'field' }, h('span', {}, m('available')), available),
      h(
        'div',
        { class: 'buttons' },
        button('add', () => {
          if (available.value) chosen.push(available.value);
          draw();
        }),
        button('remove', () => {
          chosen = chosen.filter((f) => f !== selected.value);
          draw();
        }),
        button('up', () => move(-1)),
        button('down', () => move(1)),
      ),
      h('label', { class: 'field' }, h('span', {}, m('chosen')), selected),
    ),
    h(
      'div',
      { class: 'buttons' },
      button('save', () => {
        request('PUT', '/api/messages/settings', { body: { 'mail.fields': chosen } })
          .then(() => toast(m('saved')))
          .catch((failure: unknown) => toast(failureText(failure), 'error'));
      }),
    ),
    h('label', { class: 'field' }, h('span', {}, m('previewTask')), taskId),
    button('preview', showPreview),
    preview,
  );
}
