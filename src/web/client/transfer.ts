/**
 * Import and export: a resource's tasks as an iCalendar file to download, and an .ics file
 * uploaded to become that resource's tasks, with what was imported, skipped or refused.
 */
import type { ImportReport } from './api.js';
import { api } from './api.js';
import type { AppContext } from './context.js';
import { clear, field, h, select } from './dom.js';
import { errorText, t } from './i18n.js';

export function renderTransfer(ctx: AppContext, root: HTMLElement): void {
  const choices = ctx.resources.map((r) => [r.id, r.name] as [string, string]);
  const preferred = ctx.me.user.resourceId ?? choices[0]?.[0] ?? '';
  clear(root);
  root.append(
    h('div', { class: 'page-head' }, h('h2', {}, t('transfer.title'))),
    exportBox(choices, preferred),
    importBox(choices, preferred),
  );
}

function exportBox(choices: [string, string][], preferred: string): HTMLElement {
  const resource = select({ name: 'exportResource' }, choices, preferred);
  const link = h(
    'a',
    {
      class: 'button',
      id: 'export-link',
      download: 'ordo.ics',
      href: api.exportUrl(resource.value),
    },
    t('transfer.download'),
  );
  resource.addEventListener('change', () => {
    link.href = api.exportUrl(resource.value);
  });
  return h(
    'section',
    { class: 'box' },
    h('h3', {}, t('transfer.export')),
    h('p', { class: 'muted' }, t('transfer.exportHint')),
    h(
      'div',
      { class: 'inline-form' },
      field({ label: t('planning.resource'), name: 'exportResource', control: resource }),
      link,
    ),
  );
}

function importBox(choices: [string, string][], preferred: string): HTMLElement {
  const resource = select({ name: 'importResource' }, choices, preferred);
  const file = h('input', { type: 'file', name: 'file', accept: '.ics,text/calendar' });
  const result = h('div', { class: 'import-result', aria: { live: 'polite' } });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('transfer.submit'));
  const form = h(
    'form',
    { class: 'inline-form', id: 'import-form' },
    field({ label: t('planning.resource'), name: 'importResource', control: resource }),
    field({ label: t('transfer.file'), name: 'file', control: file }),
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = file.files?.[0];
    clear(result);
    if (!chosen) {
      result.append(h('p', { class: 'error' }, t('transfer.noFile')));
      return;
    }
    submit.disabled = true;
    api
      .importIcs(resource.value, chosen)
      .then((report) => showReport(result, report))
      .catch((error: unknown) => result.append(h('p', { class: 'error' }, errorText(error))))
      .finally(() => {
        submit.disabled = false;
      });
  });
  return h(
    'section',
    { class: 'box' },
    h('h3', {}, t('transfer.import')),
    h('p', { class: 'muted' }, t('transfer.importHint')),
    form,
    result,
  );
}

function showReport(root: HTMLElement, report: ImportReport): void {
  const list = (kind: string, title: string, items: { uid: string; text: string }[]) =>
    h(
      'section',
      { class: `report report-${kind}${items.length ? '' : ' empty'}`, data: { report: kind } },
      h('h4', {}, title),
      h(
        'ul',
        {},
        ...items.map((item) =>
          h('li', {}, h('strong', {}, item.text), ' ', h('code', {}, item.uid)),
        ),
      ),
    );
  root.append(
    list(
      'imported',
      t('transfer.imported', { n: report.imported.length }),
      report.imported.map((i) => ({ uid: i.uid, text: i.label })),
    ),
    list(
      'skipped',
      t('transfer.skipped', { n: report.skipped.length }),
      report.skipped.map((i) => ({ uid: i.uid, text: i.reason })),
    ),
    list(
      'failed',
      t('transfer.failed', { n: report.failed.length }),
      report.failed.map((i) => ({ uid: i.uid, text: `${i.code}: ${i.reason}` })),
    ),
  );
}
