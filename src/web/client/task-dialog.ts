/**
 * The task window: everything a task holds, in a `<dialog>`. It creates a task where the
 * planning was clicked, or edits and deletes an existing one. Errors from the server appear
 * beside the field they name. The `#task-actions` toolbar is where the send-by-e-mail
 * (envelope) and send-to-mobile actions of the task are placed.
 */
import type { Reminder, TaskInput, TaskJson } from './api.js';
import { api, ApiError } from './api.js';
import { canWriteResource, taskRights, type AppContext } from './context.js';
import { field, h, select } from './dom.js';
import { t } from './i18n.js';
import { fillTaskActions } from './messaging.js';
import { addDays, fromInputs, toInputs, type CalendarDate } from './time.js';
import { periodicBox, repeatControls, type RepeatChoice } from './periodic.js';
import type { TaskRequest } from './planning-view.js';
import { clearErrorOnInput, clearErrors, confirmDialog, showError, toast } from './ui.js';

/** The server's names for fields, mapped to the controls of this window. */
const FIELD_ALIASES: Record<string, string> = {
  timing: 'start',
  allDay: 'start',
  startDate: 'start',
  endDate: 'end',
  resources: 'resourceIds',
  client: 'clientId',
  'reminder.minutes': 'reminder',
  'reminder.at': 'reminder',
};

const BEFORE_CHOICES = [5, 10, 15, 30, 60, 120, 1440, 2880];

/** What a task action (e-mail envelope, mobile phone) is given to draw its button. */
export interface TaskActionContext {
  ctx: AppContext;
  /** The task as saved; null while a new task is not created yet. */
  task: TaskJson | null;
  /** The `#task-actions` toolbar to append buttons to. */
  toolbar: HTMLElement;
}

const taskActions: ((action: TaskActionContext) => void)[] = [];

/** Adds buttons to the toolbar of every task window opened from now on. */
export function registerTaskAction(draw: (action: TaskActionContext) => void): void {
  taskActions.push(draw);
}

/** Opens the window; resolves true when the task was saved or deleted. */
export function openTaskDialog(ctx: AppContext, request: TaskRequest): Promise<boolean> {
  const task = request.kind === 'edit' ? request.task : null;
  const initial = request.kind === 'edit' ? request.task : blankTask(ctx, request);
  const editable = isEditable(ctx, task);
  const controls = buildControls(ctx, initial);
  const repeat = task ? null : repeatControls();
  if (repeat) controls.fieldset.append(repeat.element);
  let close: (changed: boolean) => void = () => {};
  const form = h(
    'form',
    { class: 'form task-form', novalidate: true },
    h('h2', {}, task ? t('task.edit') : t('task.new')),
    task?.periodicTaskId ? periodicBox({ task, editable, onDone: () => close(true) }) : null,
    h('div', { class: 'form-error', role: 'alert' }),
    h('div', {
      id: 'task-actions',
      class: 'task-actions',
      role: 'toolbar',
      aria: { label: t('task.actions') },
    }),
    controls.fieldset,
  );
  const dialog = h('dialog', { id: 'task-dialog', class: 'form-window wide' }, form);
  clearErrorOnInput(form);
  const toolbar = form.querySelector<HTMLElement>('#task-actions');
  if (toolbar) for (const draw of taskActions) draw({ ctx, task, toolbar });

  return new Promise((resolve) => {
    const finish = (changed: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(changed);
    };
    close = finish;
    form.append(buttons({ ctx, task, editable, onClose: finish, form }));
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      finish(false);
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!editable) return;
      void save({ ctx, form, task, controls, repeat: repeat?.read() ?? null }).then(
        (saved) => saved && finish(true),
      );
    });
    fillTaskActions(task, form.querySelector('#task-actions'));
    document.body.append(dialog);
    dialog.showModal();
    if (editable) controls.label.focus();
  });
}

function isEditable(ctx: AppContext, task: TaskJson | null): boolean {
  const rights = taskRights(ctx);
  if (!task) return rights.canAdd;
  if (task.masked || !rights.canModify) return false;
  return task.resourceIds.every((id) => canWriteResource(ctx, id));
}

function blankTask(
  ctx: AppContext,
  where: { date: CalendarDate; minutes: number; resourceId: string | null },
): TaskInput {
  const time = (minutes: number) =>
    `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  const start = fromInputs(where.date, time(where.minutes), ctx.zone) ?? '';
  const end =
    fromInputs(where.date, time(Math.min(where.minutes + 60, 23 * 60 + 59)), ctx.zone) ?? '';
  return {
    label: '',
    allDay: false,
    start,
    end,
    resourceIds: where.resourceId ? [where.resourceId] : [],
    clientId: null,
    remark: '',
    location: '',
    category: '',
    reminder: { kind: 'none' },
    private: false,
  };
}

interface Controls {
  fieldset: HTMLFieldSetElement;
  label: HTMLInputElement;
  allDay: HTMLInputElement;
  startDate: HTMLInputElement;
  startTime: HTMLInputElement;
  endDate: HTMLInputElement;
  endTime: HTMLInputElement;
  resourceIds: string[];
  client: HTMLSelectElement;
  remark: HTMLTextAreaElement;
  location: HTMLInputElement;
  category: HTMLInputElement;
  reminder: HTMLSelectElement;
  reminderMinutes: HTMLInputElement;
  reminderAt: HTMLInputElement;
  private: HTMLInputElement;
}

function buildControls(ctx: AppContext, task: TaskInput): Controls {
  const { zone } = ctx;
  const start = task.allDay ? { date: task.start, time: '09:00' } : toInputs(task.start, zone);
  const end = task.allDay
    ? { date: addDays(task.end, -1), time: '10:00' }
    : toInputs(task.end, zone);
  const c: Omit<Controls, 'fieldset'> = {
    label: h('input', {
      type: 'text',
      name: 'label',
      value: task.label,
      required: true,
      maxlength: '500',
    }),
    allDay: h('input', { type: 'checkbox', name: 'allDay', checked: task.allDay }),
    startDate: h('input', { type: 'date', name: 'startDate', value: start.date, required: true }),
    startTime: h('input', { type: 'time', name: 'startTime', value: start.time, step: '300' }),
    endDate: h('input', { type: 'date', name: 'endDate', value: end.date, required: true }),
    endTime: h('input', { type: 'time', name: 'endTime', value: end.time, step: '300' }),
    resourceIds: [...task.resourceIds],
    client: select(
      { name: 'clientId' },
      [['', t('task.noClient')], ...ctx.clients.map((cl) => [cl.id, cl.name] as const)],
      task.clientId ?? '',
    ),
    remark: h('textarea', { name: 'remark', rows: '3', value: task.remark }),
    location: h('input', { type: 'text', name: 'location', value: task.location }),
    category: h('input', {
      type: 'text',
      name: 'category',
      value: task.category,
      list: 'category-list',
    }),
    reminder: reminderSelect(ctx, task.reminder),
    reminderMinutes: h('input', {
      type: 'number',
      name: 'reminderMinutes',
      min: '0',
      step: '1',
      value: task.reminder.kind === 'before' ? String(task.reminder.minutes) : '',
      aria: { label: t('task.reminder.customMinutes') },
    }),
    reminderAt: h('input', {
      type: 'datetime-local',
      name: 'reminderAt',
      value: task.reminder.kind === 'at' ? localValue(task.reminder.at, zone) : '',
      aria: { label: t('task.reminder.atValue') },
    }),
    private: h('input', { type: 'checkbox', name: 'private', checked: task.private }),
  };
  const fieldset = h('fieldset', { class: 'task-fields' }, ...layout(ctx, c));
  const controls = { ...c, fieldset };
  syncVisibility(controls);
  controls.allDay.addEventListener('change', () => syncVisibility(controls));
  controls.reminder.addEventListener('change', () => syncVisibility(controls));
  return controls;
}

function localValue(instant: string, zone: string): string {
  const { date, time } = toInputs(instant, zone);
  return `${date}T${time}`;
}

function reminderSelect(ctx: AppContext, reminder: Reminder): HTMLSelectElement {
  const before = (minutes: number): [string, string] => {
    const text =
      minutes < 60
        ? t('task.reminder.minutes', { n: minutes })
        : minutes < 1440
          ? t('task.reminder.hours', { n: minutes / 60 })
          : minutes === 1440
            ? t('task.reminder.day')
            : t('task.reminder.days', { n: minutes / 1440 });
    return [String(minutes), text];
  };
  const options: [string, string][] = [['none', t('task.reminder.none')]];
  if (!ctx.reminderByDate || reminder.kind === 'before') {
    options.push(...BEFORE_CHOICES.map(before), ['custom', t('task.reminder.custom')]);
  }
  if (ctx.reminderByDate || reminder.kind === 'at') options.push(['at', t('task.reminder.at')]);
  let selected = 'none';
  if (reminder.kind === 'at') selected = 'at';
  if (reminder.kind === 'before') {
    selected = BEFORE_CHOICES.includes(reminder.minutes) ? String(reminder.minutes) : 'custom';
  }
  return select({ name: 'reminder' }, options, selected);
}

function syncVisibility(c: Controls): void {
  c.startTime.hidden = c.allDay.checked;
  c.endTime.hidden = c.allDay.checked;
  c.reminderMinutes.hidden = c.reminder.value !== 'custom';
  c.reminderAt.hidden = c.reminder.value !== 'at';
}

function layout(ctx: AppContext, c: Omit<Controls, 'fieldset'>): HTMLElement[] {
  const categories = new Set(ctx.categories);
  return [
    field({ label: t('task.label'), control: c.label, name: 'label' }),
    h('label', { class: 'check' }, c.allDay, t('task.allDay')),
    h(
      'div',
      { class: 'two' },
      field({
        label: t('task.start'),
        control: h('div', { class: 'date-time' }, c.startDate, c.startTime),
        name: 'start',
      }),
      field({
        label: t('task.end'),
        control: h('div', { class: 'date-time' }, c.endDate, c.endTime),
        name: 'end',
      }),
    ),
    field({
      label: t('task.resources'),
      control: resourcePicker(ctx, c.resourceIds),
      name: 'resourceIds',
    }),
    h(
      'div',
      { class: 'two' },
      field({ label: t('task.client'), control: c.client, name: 'clientId' }),
      field({ label: t('task.category'), control: c.category, name: 'category' }),
    ),
    h(
      'datalist',
      { id: 'category-list' },
      ...[...categories].map((value) => h('option', { value })),
    ),
    field({ label: t('task.location'), control: c.location, name: 'location' }),
    field({ label: t('task.remark'), control: c.remark, name: 'remark' }),
    h(
      'div',
      { class: 'two' },
      field({
        label: t('task.reminder'),
        control: h('div', { class: 'date-time' }, c.reminder, c.reminderMinutes, c.reminderAt),
        name: 'reminder',
      }),
      h('label', { class: 'check private-check' }, c.private, t('task.private')),
    ),
  ];
}

/** The ordered list of the task's resources; the first is "resource 1". */
function resourcePicker(ctx: AppContext, ids: string[]): HTMLElement {
  const list = h('ol', { class: 'resource-list' });
  const adder = h('select', { name: 'addResource', aria: { label: t('task.addResource') } });
  const nameOf = (id: string) => ctx.resources.find((r) => r.id === id)?.name ?? id;
  const redraw = () => {
    list.replaceChildren(
      ...ids.map((id, index) =>
        h(
          'li',
          { data: { resourceId: id } },
          h('span', { class: 'name' }, nameOf(id)),
          h('small', { class: 'muted' }, t('task.resourceN', { n: index + 1 })),
          h(
            'span',
            { class: 'row-buttons' },
            iconButton('↑', t('task.moveUp'), index === 0, () => swap(index, index - 1)),
            iconButton('↓', t('task.moveDown'), index === ids.length - 1, () =>
              swap(index, index + 1),
            ),
            iconButton('×', t('task.remove'), false, () => {
              ids.splice(index, 1);
              redraw();
            }),
          ),
        ),
      ),
    );
    adder.replaceChildren(
      h('option', { value: '' }, t('task.addResource')),
      ...ctx.resources
        .filter((r) => !ids.includes(r.id))
        .map((r) => h('option', { value: r.id }, r.name)),
    );
  };
  const swap = (a: number, b: number) => {
    const first = ids[a];
    const second = ids[b];
    if (first === undefined || second === undefined) return;
    ids[a] = second;
    ids[b] = first;
    redraw();
  };
  adder.addEventListener('change', () => {
    if (adder.value) ids.push(adder.value);
    redraw();
  });
  redraw();
  return h('div', { class: 'resource-picker' }, list, adder);
}

function iconButton(text: string, label: string, disabled: boolean, onClick: () => void) {
  return h(
    'button',
    {
      type: 'button',
      class: 'icon',
      title: label,
      aria: { label },
      disabled,
      on: { click: onClick },
    },
    text,
  );
}

function buttons(options: {
  ctx: AppContext;
  task: TaskJson | null;
  editable: boolean;
  form: HTMLFormElement;
  onClose: (changed: boolean) => void;
}): HTMLElement {
  const { ctx, task, editable, form, onClose } = options;
  const canDelete = task !== null && !task.masked && taskRights(ctx).canDelete && editable;
  const remove = canDelete
    ? h('button', { type: 'button', class: 'danger', id: 'task-delete' }, t('delete'))
    : null;
  remove?.addEventListener('click', () => {
    void (async () => {
      if (!task || !(await confirmDialog(t('confirm.deleteTask', { label: task.label })))) return;
      try {
        await api.deleteTask(task.id);
        toast(t('deleted'));
        onClose(true);
      } catch (error) {
        showError(form, error, FIELD_ALIASES);
      }
    })();
  });
  if (!editable) options.form.querySelector('fieldset')?.setAttribute('disabled', '');
  return h(
    'div',
    { class: 'buttons' },
    remove,
    h('span', { class: 'spacer' }),
    h(
      'button',
      { type: 'button', on: { click: () => onClose(false) } },
      editable ? t('cancel') : t('close'),
    ),
    editable ? h('button', { type: 'submit', class: 'primary', id: 'task-save' }, t('save')) : null,
  );
}

class FieldError extends Error {
  constructor(readonly field: string) {
    super(t('error.VALIDATION'));
  }
}

function readInput(ctx: AppContext, c: Controls): TaskInput {
  const allDay = c.allDay.checked;
  let start: string | null;
  let end: string | null;
  if (allDay) {
    start = c.startDate.value || null;
    end = c.endDate.value ? addDays(c.endDate.value, 1) : null;
  } else {
    start = c.startDate.value ? fromInputs(c.startDate.value, c.startTime.value, ctx.zone) : null;
    end = c.endDate.value ? fromInputs(c.endDate.value, c.endTime.value, ctx.zone) : null;
  }
  if (!start) throw new FieldError('start');
  if (!end) throw new FieldError('end');
  return {
    label: c.label.value.trim(),
    allDay,
    start,
    end,
    resourceIds: [...c.resourceIds],
    clientId: c.client.value || null,
    remark: c.remark.value,
    location: c.location.value.trim(),
    category: c.category.value.trim(),
    reminder: readReminder(ctx, c),
    private: c.private.checked,
  };
}

function readReminder(ctx: AppContext, c: Controls): Reminder {
  const choice = c.reminder.value;
  if (choice === 'none') return { kind: 'none' };
  if (choice === 'at') {
    const [date = '', time = ''] = c.reminderAt.value.split('T');
    const at = date ? fromInputs(date, time, ctx.zone) : null;
    if (!at) throw new FieldError('reminder');
    return { kind: 'at', at };
  }
  const minutes = Number(choice === 'custom' ? c.reminderMinutes.value : choice);
  if (
    !Number.isInteger(minutes) ||
    minutes < 0 ||
    (c.reminderMinutes.value === '' && choice === 'custom')
  ) {
    throw new FieldError('reminder');
  }
  return { kind: 'before', minutes };
}

async function save(options: {
  ctx: AppContext;
  form: HTMLFormElement;
  task: TaskJson | null;
  controls: Controls;
  repeat: RepeatChoice | null;
}): Promise<boolean> {
  const { ctx, form, task, controls, repeat } = options;
  clearErrors(form);
  try {
    const input = readInput(ctx, controls);
    if (task) {
      await api.updateTask(task.id, input);
      toast(t('saved'));
    } else if (repeat) {
      const created = await api.createPeriodicTask({ ...repeat, template: input });
      toast(t('periodic.created', { n: created.occurrences }));
    } else {
      await api.createTask(input);
      toast(t('saved'));
    }
    return true;
  } catch (error) {
    if (error instanceof FieldError) {
      const local = new ApiError(400, 'VALIDATION', error.message, { field: error.field });
      showError(form, local, FIELD_ALIASES);
    } else {
      showError(form, error, FIELD_ALIASES);
    }
    return false;
  }
}
