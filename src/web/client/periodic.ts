/**
 * Periodic tasks (tâches périodiques) in the task window: a "repeat" choice when creating a
 * task, and for an occurrence of a series, taking it out of its series (it becomes an
 * ordinary task, which calendars then receive) or deleting the whole series.
 */
import type { TaskJson } from './api.js';
import { api } from './api.js';
import { field, h, select } from './dom.js';
import { errorText, t } from './i18n.js';
import { confirmDialog, toast } from './ui.js';

/** The repetitions offered, as RFC 5545 RRULE values (section 3.3.10). */
const RULES: [
  string,
  'periodic.none' | 'periodic.daily' | 'periodic.weekdays' | 'periodic.weekly' | 'periodic.monthly',
][] = [
  ['', 'periodic.none'],
  ['FREQ=DAILY', 'periodic.daily'],
  ['FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', 'periodic.weekdays'],
  ['FREQ=WEEKLY', 'periodic.weekly'],
  ['FREQ=MONTHLY', 'periodic.monthly'],
];

export interface RepeatChoice {
  rule: string;
  until: string | null;
}

/** The "repeat" field of a new task; `read` gives null for a single task. */
export function repeatControls(): { element: HTMLElement; read: () => RepeatChoice | null } {
  const rule = select(
    { name: 'repeatRule' },
    RULES.map(([value, key]) => [value, t(key)] as [string, string]),
    '',
  );
  const until = h('input', {
    type: 'date',
    name: 'repeatUntil',
    hidden: true,
    aria: { label: t('periodic.until') },
    title: t('periodic.until'),
  });
  rule.addEventListener('change', () => {
    until.hidden = rule.value === '';
  });
  return {
    element: field({
      label: t('periodic.repeat'),
      name: 'repeat',
      control: h('div', { class: 'date-time' }, rule, until),
    }),
    read: () => (rule.value ? { rule: rule.value, until: until.value || null } : null),
  };
}

/**
 * What an occurrence of a periodic task offers; `onDone` closes the window after a change.
 * `editable` false shows only the note.
 */
export function periodicBox(options: {
  task: TaskJson;
  editable: boolean;
  onDone: () => void;
}): HTMLElement {
  const { task, editable, onDone } = options;
  const seriesId = task.periodicTaskId ?? '';
  const run = async (question: string, action: () => Promise<unknown>) => {
    if (!(await confirmDialog(question))) return;
    try {
      await action();
      toast(t('saved'));
      onDone();
    } catch (error) {
      toast(errorText(error), 'error');
    }
  };
  const detach = h('button', { type: 'button', id: 'task-detach' }, t('periodic.detach'));
  detach.addEventListener('click', () => {
    void run(t('periodic.detachConfirm'), () => api.detachTask(task.id));
  });
  const removeSeries = h(
    'button',
    { type: 'button', class: 'danger', id: 'series-delete' },
    t('periodic.deleteSeries'),
  );
  removeSeries.addEventListener('click', () => {
    void run(t('periodic.deleteSeriesConfirm'), () => api.deletePeriodicTask(seriesId));
  });
  return h(
    'div',
    { class: 'periodic-box' },
    h('span', { class: 'muted' }, t('task.periodic')),
    editable ? h('span', { class: 'row-buttons' }, detach, removeSeries) : null,
  );
}
