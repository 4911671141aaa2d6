/**
 * The general planning: resources as rows (grouped by department), days as columns, tasks
 * as bars placed by their times in the company's time zone. A click on an empty cell opens
 * the task window to create a task there; a click on a bar opens it to edit; dragging a bar
 * to another day or resource moves the task.
 */
import type { Resource, TaskJson, UnavailabilityJson } from './api.js';
import { api } from './api.js';
import { canWriteResource, canWriteSomewhere, taskRights, type AppContext } from './context.js';
import { clear, h } from './dom.js';
import { errorText, t } from './i18n.js';
import {
  addDays,
  addMonths,
  dayStart,
  daysBetween,
  daysInMonth,
  formatDate,
  formatTime,
  isoWeekNumber,
  isWeekend,
  shiftInstant,
  startOfMonth,
  startOfWeek,
  today,
  zonedParts,
  type CalendarDate,
} from './time.js';
import { toast } from './ui.js';
import { deleteUnavailability, openUnavailabilityForm } from './unavailabilities.js';

export type PlanningMode = 'day' | 'week' | 'month';

/** What the task window is opened with: an existing task, or where a new one goes. */
export type TaskRequest =
  | { kind: 'edit'; task: TaskJson }
  | { kind: 'new'; date: CalendarDate; minutes: number; resourceId: string | null };

export interface PlanningOptions {
  ctx: AppContext;
  root: HTMLElement;
  /** Opens the task window; resolves when it closes, true when something changed. */
  openTask: (request: TaskRequest) => Promise<boolean>;
}

/**
 * The part of each day drawn in the day and week views, in minutes since midnight; times
 * outside it are drawn at its edges.
 * TODO(when a company works nights): make these hours a company setting.
 */
const WORKDAY = { start: 7 * 60, end: 20 * 60 };
const BAR_HEIGHT = 24;
const BAR_GAP = 3;
/** Rough width of a label character, to keep room for labels when stacking bars. */
const CHAR_PX = 6.8;

/**
 * Kept across renders and reloads (in the tab's session storage), so switching language or
 * page, or reloading, keeps the week the user was on.
 */
const VIEW_KEY = 'ordo.planning.view';
const view: { mode: PlanningMode; anchor: CalendarDate | null } = readView();

function readView(): { mode: PlanningMode; anchor: CalendarDate | null } {
  try {
    const stored = JSON.parse(sessionStorage.getItem(VIEW_KEY) ?? 'null') as {
      mode?: unknown;
      anchor?: unknown;
    } | null;
    const mode = ['day', 'week', 'month'].includes(String(stored?.mode))
      ? (stored?.mode as PlanningMode)
      : 'week';
    const anchor =
      typeof stored?.anchor === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(stored.anchor)
        ? stored.anchor
        : null;
    return { mode, anchor };
  } catch {
    return { mode: 'week', anchor: null };
  }
}

function keepView(): void {
  try {
    sessionStorage.setItem(VIEW_KEY, JSON.stringify(view));
  } catch {
    // Storage refused (private browsing): the view then lasts until the page reloads.
  }
}

/** How often the planning reloads by itself, to show what others changed. */
const REFRESH_MS = 60_000;
/** Each render's number: an answer arriving after a newer render started is dropped. */
let renderCount = 0;
let refreshTimer: number | undefined;

/**
 * Draws the planning in `root`. The grid on screen stays until the new one is ready, and
 * its scroll position is kept, so saving a task or moving a week does not jump the view.
 */
export async function renderPlanning(options: PlanningOptions): Promise<void> {
  const { ctx, root } = options;
  const render = ++renderCount;
  window.clearTimeout(refreshTimer);
  view.anchor ??= today(ctx.zone);
  keepView();
  const days = visibleDays();
  const previous = root.querySelector<HTMLElement>('.grid-scroller');
  const scroll = previous ? { top: previous.scrollTop, left: previous.scrollLeft } : null;
  const bar = toolbar(options, days);
  if (!previous) {
    clear(root);
    root.append(
      bar,
      h('div', { class: 'grid-scroller' }, h('p', { class: 'muted' }, t('loading'))),
    );
  }

  const grid = h('div', { class: 'grid-scroller' });
  let loaded: { tasks: TaskJson[]; unavailabilities: UnavailabilityJson[] } | null = null;
  try {
    const from = dayStart(days[0] ?? view.anchor, ctx.zone);
    const to = dayStart(addDays(days[days.length - 1] ?? view.anchor, 1), ctx.zone);
    const [tasks, unavailabilities] = await Promise.all([
      api.tasks(from, to),
      api.unavailabilities(from, to),
    ]);
    loaded = { tasks: tasks.tasks, unavailabilities: unavailabilities.unavailabilities };
  } catch (error) {
    grid.append(h('p', { class: 'error' }, errorText(error)));
  }
  if (render !== renderCount || !root.isConnected) return;

  clear(root);
  root.append(bar, grid);
  if (loaded) {
    for (const task of loaded.tasks) if (task.category) ctx.categories.add(task.category);
    drawGrid({ ...options, grid, days, ...loaded });
  }
  if (scroll) {
    grid.scrollTop = scroll.top;
    grid.scrollLeft = scroll.left;
  }
  refreshTimer = window.setTimeout(() => refreshWhenIdle(options), REFRESH_MS);
}

/** Reloads unless the user is busy: a window open or a bar being dragged. */
function refreshWhenIdle(options: PlanningOptions): void {
  if (!options.root.isConnected) return;
  const busy =
    document.hidden ||
    document.querySelector('dialog[open]') !== null ||
    document.querySelector('.bar.dragging') !== null;
  if (busy) {
    refreshTimer = window.setTimeout(() => refreshWhenIdle(options), REFRESH_MS / 4);
    return;
  }
  void renderPlanning(options);
}

function visibleDays(): CalendarDate[] {
  const anchor = view.anchor ?? '1970-01-01';
  if (view.mode === 'day') return [anchor];
  const first = view.mode === 'week' ? startOfWeek(anchor) : startOfMonth(anchor);
  const count = view.mode === 'week' ? 7 : daysInMonth(anchor);
  return Array.from({ length: count }, (_, i) => addDays(first, i));
}

function toolbar(options: PlanningOptions, days: CalendarDate[]): HTMLElement {
  const { ctx } = options;
  const rerender = () => void renderPlanning(options);
  const step = (direction: 1 | -1) => () => {
    const anchor = view.anchor ?? today(ctx.zone);
    view.anchor =
      view.mode === 'month'
        ? addMonths(anchor, direction)
        : addDays(anchor, direction * (view.mode === 'week' ? 7 : 1));
    rerender();
  };
  const datePicker = h('input', {
    type: 'date',
    value: view.anchor ?? '',
    aria: { label: t('planning.date') },
    class: 'date-picker',
  });
  datePicker.addEventListener('change', () => {
    if (!datePicker.value) return;
    view.anchor = datePicker.value;
    rerender();
  });
  const modeButton = (mode: PlanningMode, label: string) =>
    h(
      'button',
      {
        type: 'button',
        class: view.mode === mode ? 'active' : '',
        aria: { pressed: String(view.mode === mode) },
        data: { mode },
        on: {
          click: () => {
            view.mode = mode;
            rerender();
          },
        },
      },
      label,
    );
  const canAdd = taskRights(ctx).canAdd && canWriteSomewhere(ctx);
  return h(
    'div',
    { class: 'planning-toolbar' },
    h(
      'div',
      { class: 'nav-buttons' },
      h(
        'button',
        {
          type: 'button',
          title: t('planning.previous'),
          aria: { label: t('planning.previous') },
          data: { nav: 'previous' },
          on: { click: step(-1) },
        },
        '‹',
      ),
      h(
        'button',
        {
          type: 'button',
          data: { nav: 'today' },
          on: {
            click: () => {
              view.anchor = today(ctx.zone);
              rerender();
            },
          },
        },
        t('planning.today'),
      ),
      h(
        'button',
        {
          type: 'button',
          title: t('planning.next'),
          aria: { label: t('planning.next') },
          data: { nav: 'next' },
          on: { click: step(1) },
        },
        '›',
      ),
      datePicker,
    ),
    h('h2', { class: 'period' }, periodTitle(days)),
    h(
      'div',
      { class: 'segmented' },
      modeButton('day', t('planning.day')),
      modeButton('week', t('planning.week')),
      modeButton('month', t('planning.month')),
    ),
    canAdd
      ? h(
          'button',
          {
            type: 'button',
            class: 'primary',
            id: 'new-task',
            on: {
              click: () =>
                void newTask(options, {
                  date: view.anchor ?? today(ctx.zone),
                  minutes: 9 * 60,
                  resourceId: ctx.me.user.resourceId,
                }),
            },
          },
          t('planning.newTask'),
        )
      : h('span', { class: 'badge' }, t('planning.readOnly')),
    canWriteSomewhere(ctx)
      ? h(
          'button',
          {
            type: 'button',
            id: 'new-unavailability',
            on: {
              click: () =>
                void openUnavailabilityForm(ctx, {
                  date: view.anchor ?? today(ctx.zone),
                  resourceId: ctx.me.user.resourceId,
                }).then((saved) => (saved ? renderPlanning(options) : undefined)),
            },
          },
          t('planning.newUnavailability'),
        )
      : null,
  );
}

function periodTitle(days: CalendarDate[]): string {
  const first = days[0] ?? '';
  const last = days[days.length - 1] ?? first;
  if (view.mode === 'day') return formatDate(first, { dateStyle: 'full' });
  if (view.mode === 'month') return formatDate(first, { month: 'long', year: 'numeric' });
  return `${t('planning.weekNumber', { n: isoWeekNumber(first) })} · ${formatDate(first, {
    day: 'numeric',
    month: 'short',
  })} – ${formatDate(last, { dateStyle: 'medium' })}`;
}

async function newTask(
  options: PlanningOptions,
  where: { date: CalendarDate; minutes: number; resourceId: string | null },
): Promise<void> {
  if (await options.openTask({ kind: 'new', ...where })) await renderPlanning(options);
}

interface GridData extends PlanningOptions {
  grid: HTMLElement;
  days: CalendarDate[];
  tasks: TaskJson[];
  unavailabilities: UnavailabilityJson[];
}

/** A row of the grid: a resource, or the tasks booked on no resource. */
interface Row {
  resource: Resource | null;
  lane: HTMLElement;
}

function drawGrid(data: GridData): void {
  const { ctx, grid, days } = data;
  const table = h('div', { class: `planning mode-${view.mode}`, role: 'grid' });
  table.style.setProperty('--days', String(days.length));
  table.append(headerRow(days, ctx.zone));
  const rows: Row[] = [];
  for (const group of departmentGroups(ctx)) {
    if (group.name !== null) {
      table.append(h('div', { class: 'department', role: 'row' }, group.name));
    }
    for (const resource of group.resources) rows.push(addRow(table, data, resource));
  }
  if (data.tasks.some((task) => task.resourceIds.length === 0))
    rows.push(addRow(table, data, null));
  if (rows.length === 0) table.append(h('p', { class: 'muted empty' }, t('planning.noResources')));
  grid.append(
    table,
    h(
      'p',
      { class: 'muted hint' },
      `${t('planning.dragHint')} ${t('planning.timeZone', { zone: ctx.zone })}`,
    ),
  );

  // Bars are stacked knowing the drawn width of a day, so their labels keep room to show.
  const dayPx = (rows[0]?.lane.clientWidth ?? 700) / days.length;
  for (const row of rows) fillRow(data, row, dayPx);
  drawNow(data, rows);
}

/** A thin line at the present time, in the day and week views, when today is drawn. */
function drawNow(data: GridData, rows: Row[]): void {
  const { ctx, days } = data;
  if (view.mode === 'month' || !days.includes(today(ctx.zone))) return;
  const minutes = zonedParts(new Date().toISOString(), ctx.zone).minutes;
  if (minutes < WORKDAY.start || minutes > WORKDAY.end) return;
  const left = `${(instantOffset(new Date().toISOString(), days, ctx.zone) / days.length) * 100}%`;
  for (const row of rows) {
    const line = h('div', { class: 'now-line', aria: { hidden: 'true' } });
    line.style.left = left;
    row.lane.append(line);
  }
}

function headerRow(days: CalendarDate[], zone: string): HTMLElement {
  const now = today(zone);
  const dayCells = days.map((day) => {
    const label =
      view.mode === 'month'
        ? [formatDate(day, { weekday: 'narrow' }), formatDate(day, { day: 'numeric' })]
        : [
            formatDate(day, { weekday: 'short' }),
            formatDate(day, { day: 'numeric', month: 'short' }),
          ];
    return h(
      'div',
      {
        class: `day-head${day === now ? ' today' : ''}${isWeekend(day) ? ' weekend' : ''}`,
        role: 'columnheader',
        data: { date: day },
      },
      h('span', { class: 'weekday' }, label[0]),
      h('span', { class: 'date' }, label[1]),
    );
  });
  const hours =
    view.mode === 'day'
      ? h(
          'div',
          { class: 'hours' },
          ...Array.from({ length: (WORKDAY.end - WORKDAY.start) / 60 }, (_, i) =>
            h('span', {}, `${String(WORKDAY.start / 60 + i).padStart(2, '0')}:00`),
          ),
        )
      : null;
  return h(
    'div',
    { class: 'head-row', role: 'row' },
    h('div', { class: 'corner', role: 'columnheader' }, t('planning.resource')),
    h('div', { class: 'day-heads' }, ...dayCells, hours),
  );
}

function departmentGroups(ctx: AppContext): { name: string | null; resources: Resource[] }[] {
  if (ctx.departments.length === 0) return [{ name: null, resources: ctx.resources }];
  const groups = ctx.departments.map((d) => ({
    name: d.name as string | null,
    resources: ctx.resources.filter((r) => r.departmentId === d.id),
  }));
  const known = new Set(ctx.departments.map((d) => d.id));
  groups.push({
    name: t('planning.noDepartment'),
    resources: ctx.resources.filter((r) => !r.departmentId || !known.has(r.departmentId)),
  });
  return groups.filter((g) => g.resources.length > 0);
}

function addRow(table: HTMLElement, data: GridData, resource: Resource | null): Row {
  const { ctx, days } = data;
  const resourceId = resource?.id ?? '';
  const writable = taskRights(ctx).canAdd && canWriteResource(ctx, resource?.id ?? null);
  const now = today(ctx.zone);
  const cells = days.map((day) =>
    h('div', {
      class: `cell${day === now ? ' today' : ''}${isWeekend(day) ? ' weekend' : ''}`,
      role: 'gridcell',
      data: { date: day, resourceId },
    }),
  );
  const lane = h(
    'div',
    { class: `lane${writable ? '' : ' readonly'}`, data: { resourceId } },
    h('div', { class: 'cells' }, ...cells),
  );
  if (writable) {
    lane.addEventListener('click', (event) => {
      const cell = (event.target as HTMLElement).closest<HTMLElement>('.cell');
      if (!cell) return;
      void newTask(data, {
        date: cell.dataset.date ?? days[0] ?? '',
        minutes: minutesAt(cell, event.clientX),
        resourceId: resource?.id ?? null,
      });
    });
  }
  const label = resource
    ? h(
        'div',
        { class: 'row-label', role: 'rowheader', title: resource.name },
        h('span', { class: `kind kind-${resource.kind}`, aria: { hidden: 'true' } }),
        resource.name,
      )
    : h('div', { class: 'row-label muted', role: 'rowheader' }, t('none'));
  table.append(h('div', { class: 'row', role: 'row', data: { resourceId } }, label, lane));
  return { resource, lane };
}

/** The time under the pointer in a day cell, rounded down to the half hour. */
function minutesAt(cell: HTMLElement, clientX: number): number {
  if (view.mode === 'month') return 9 * 60;
  const box = cell.getBoundingClientRect();
  const fraction = Math.min(Math.max((clientX - box.left) / box.width, 0), 1);
  const minutes = WORKDAY.start + fraction * (WORKDAY.end - WORKDAY.start);
  return Math.min(Math.floor(minutes / 30) * 30, WORKDAY.end - 60);
}

/** Where an instant falls on the row, in days from the first day drawn (0 to n). */
function instantOffset(instant: string, days: CalendarDate[], zone: string): number {
  const { date, minutes } = zonedParts(instant, zone);
  const index = daysBetween(days[0] ?? date, date);
  if (index < 0) return 0;
  if (index >= days.length) return days.length;
  const window = view.mode === 'month' ? { start: 0, end: 24 * 60 } : WORKDAY;
  const fraction = (minutes - window.start) / (window.end - window.start);
  return index + Math.min(Math.max(fraction, 0), 1);
}

function dateOffset(value: CalendarDate, days: CalendarDate[]): number {
  return Math.min(Math.max(daysBetween(days[0] ?? value, value), 0), days.length);
}

function taskSpan(task: TaskJson, days: CalendarDate[], zone: string): [number, number] {
  if (task.allDay) return [dateOffset(task.start, days), dateOffset(task.end, days)];
  return [instantOffset(task.start, days, zone), instantOffset(task.end, days, zone)];
}

interface PlacedBar {
  task: TaskJson;
  start: number;
  end: number;
  /** Where the bar's label ends: bars of one line never overlap up to there. */
  reach: number;
  line: number;
}

function fillRow(data: GridData, row: Row, dayPx: number): void {
  const { ctx, days } = data;
  const resourceId = row.resource?.id ?? null;
  const n = days.length;
  const percent = (offset: number) => `${(offset / n) * 100}%`;

  for (const item of data.unavailabilities.filter((u) => u.resourceId === resourceId)) {
    const start = instantOffset(item.start, days, ctx.zone);
    const end = instantOffset(item.end, days, ctx.zone);
    if (end <= 0 || start >= n) continue;
    const block = h(
      'div',
      {
        class: 'unavailability',
        title: `${t('planning.unavailable')}: ${item.reason}`,
        data: { unavailabilityId: item.id },
      },
      h('span', {}, item.reason || t('planning.unavailable')),
    );
    block.style.left = percent(start);
    block.style.width = percent(Math.max(end - start, 0.02));
    if (canWriteResource(ctx, resourceId)) {
      block.classList.add('editable');
      block.setAttribute('role', 'button');
      block.tabIndex = 0;
      const remove = (event: Event) => {
        event.stopPropagation();
        void deleteUnavailability(ctx, item).then((deleted) =>
          deleted ? renderPlanning(data) : undefined,
        );
      };
      block.addEventListener('click', remove);
      block.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === 'Delete') remove(event);
      });
    }
    row.lane.append(block);
  }

  const tasks = data.tasks.filter((task) =>
    resourceId ? task.resourceIds.includes(resourceId) : task.resourceIds.length === 0,
  );
  const placed = stack(tasks, days, ctx.zone, dayPx);
  const lines = Math.max(1, ...placed.map((p) => p.line + 1));
  row.lane.style.height = `${lines * (BAR_HEIGHT + BAR_GAP) + BAR_GAP}px`;
  for (const bar of placed) row.lane.append(drawBar(data, row, bar, percent));
}

/** Puts each bar on the first line where it fits, in start order. */
function stack(tasks: TaskJson[], days: CalendarDate[], zone: string, dayPx: number): PlacedBar[] {
  const bars = tasks
    .map((task) => {
      const [start, end] = taskSpan(task, days, zone);
      const labelDays = ((labelOf(task, zone).length + 2) * CHAR_PX) / dayPx;
      return { task, start, end, reach: Math.max(end, start + Math.min(labelDays, 1)), line: 0 };
    })
    .filter(
      (bar) => bar.end > 0 && bar.start < days.length && (bar.end > bar.start || !bar.task.allDay),
    )
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const lineEnds: number[] = [];
  for (const bar of bars) {
    let line = lineEnds.findIndex((end) => end <= bar.start + 1e-9);
    if (line === -1) line = lineEnds.length;
    lineEnds[line] = Math.min(bar.reach, days.length);
    bar.line = line;
  }
  return bars;
}

function labelOf(task: TaskJson, zone: string): string {
  const label = task.masked ? t('planning.private') : task.label;
  if (task.allDay || view.mode === 'month') return label;
  return `${formatTime(task.start, zone)} ${label}`;
}

function categoryHue(category: string): number {
  let hash = 0;
  for (const char of category) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return category ? hash % 360 : 212;
}

function drawBar(
  data: GridData,
  row: Row,
  bar: PlacedBar,
  percent: (offset: number) => string,
): HTMLElement {
  const { ctx } = data;
  const { task } = bar;
  const width = Math.max(Math.min(bar.reach, data.days.length) - bar.start, 0.03);
  const timeShare = Math.max(bar.end - bar.start, 0) / width;
  const times = task.allDay
    ? `${formatDate(task.start)} – ${formatDate(addDays(task.end, -1))}`
    : `${formatTime(task.start, ctx.zone)} – ${formatTime(task.end, ctx.zone)}`;
  const label = task.masked ? t('planning.private') : task.label;
  const el = h(
    'div',
    {
      class: `bar${task.masked ? ' masked' : ''}${task.allDay ? ' all-day' : ''}${task.private ? ' private' : ''}`,
      role: 'button',
      tabindex: '0',
      title: `${label}\n${times}${task.category && !task.masked ? `\n${task.category}` : ''}`,
      data: { taskId: task.id },
    },
    h('span', { class: 'bar-time', aria: { hidden: 'true' } }),
    h('span', { class: 'bar-label' }, labelOf(task, ctx.zone)),
  );
  el.style.setProperty('--hue', String(categoryHue(task.masked ? '' : task.category)));
  el.style.left = percent(bar.start);
  el.style.width = percent(width);
  el.style.top = `${BAR_GAP + bar.line * (BAR_HEIGHT + BAR_GAP)}px`;
  (el.firstElementChild as HTMLElement).style.width = `${Math.min(timeShare, 1) * 100}%`;

  const open = () => {
    if (task.masked) {
      toast(t('task.masked'));
      return;
    }
    void data.openTask({ kind: 'edit', task }).then((changed) => {
      if (changed) void renderPlanning(data);
    });
  };
  el.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      open();
    }
  });
  const movable =
    !task.masked && taskRights(ctx).canModify && canWriteResource(ctx, row.resource?.id ?? null);
  enableDrag({
    el,
    describe: (cell) => dropText(ctx, cell),
    onClick: open,
    onDrop: movable ? (target) => void moveTask(data, row, task, target) : null,
  });
  return el;
}

interface DropTarget {
  date: CalendarDate;
  resourceId: string;
  originDate: CalendarDate;
}

function cellAt(x: number, y: number): HTMLElement | null {
  for (const el of document.elementsFromPoint(x, y)) {
    if (el instanceof HTMLElement && el.classList.contains('cell')) return el;
  }
  return null;
}

/**
 * Pointer events rather than HTML drag and drop: they work with a mouse, a pen and a finger
 * alike, and a press without movement stays a click.
 * TODO(when users ask for it): stretch a bar's ends to change its times; the task window
 * changes them meanwhile.
 */
/** Where a drop on `cell` puts the task, shown beside the pointer while dragging. */
function dropText(ctx: AppContext, cell: HTMLElement): string {
  const resource = ctx.resources.find((r) => r.id === cell.dataset.resourceId);
  const date = formatDate(cell.dataset.date ?? '', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
  });
  return resource ? `${resource.name} · ${date}` : date;
}

function enableDrag(options: {
  el: HTMLElement;
  describe: (cell: HTMLElement) => string;
  onClick: () => void;
  onDrop: ((target: DropTarget) => void) | null;
}): void {
  const { el } = options;
  el.addEventListener('pointerdown', (down) => {
    if (down.button !== 0) return;
    down.stopPropagation();
    const origin = cellAt(down.clientX, down.clientY);
    let dragging = false;
    let over: HTMLElement | null = null;
    const tip = h('div', { class: 'drag-tip', role: 'status' });
    const move = (event: PointerEvent) => {
      const dx = event.clientX - down.clientX;
      const dy = event.clientY - down.clientY;
      if (!dragging && (!options.onDrop || Math.hypot(dx, dy) < 6)) return;
      if (!dragging) document.body.append(tip);
      dragging = true;
      el.classList.add('dragging');
      el.style.transform = `translate(${dx}px, ${dy}px)`;
      tip.style.left = `${event.clientX + 14}px`;
      tip.style.top = `${event.clientY + 14}px`;
      const cell = cellAt(event.clientX, event.clientY);
      if (cell !== over) {
        over?.classList.remove('drop-target');
        cell?.classList.add('drop-target');
        tip.textContent = cell ? options.describe(cell) : '';
        over = cell;
      }
    };
    const finish = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      window.removeEventListener('keydown', cancel);
      el.classList.remove('dragging');
      el.style.transform = '';
      over?.classList.remove('drop-target');
      tip.remove();
    };
    // Escape puts the bar back where it was.
    const cancel = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      dragging = false;
      finish();
    };
    const up = (event: PointerEvent) => {
      finish();
      if (!dragging) {
        options.onClick();
        return;
      }
      const cell = cellAt(event.clientX, event.clientY);
      if (cell && origin && options.onDrop) {
        options.onDrop({
          date: cell.dataset.date ?? '',
          resourceId: cell.dataset.resourceId ?? '',
          originDate: origin.dataset.date ?? '',
        });
      }
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
    window.addEventListener('keydown', cancel);
  });
  // The bar handles its own clicks; the cell under it must not open a new task.
  el.addEventListener('click', (event) => event.stopPropagation());
}

async function moveTask(
  data: GridData,
  row: Row,
  task: TaskJson,
  target: DropTarget,
): Promise<void> {
  const shift = daysBetween(target.originDate, target.date);
  const from = row.resource?.id ?? '';
  const resourceIds = moveResource(task.resourceIds, from, target.resourceId);
  if (shift === 0 && resourceIds === task.resourceIds) return;
  const patch: Partial<TaskJson> = { resourceIds };
  if (shift !== 0) {
    patch.allDay = task.allDay;
    patch.start = task.allDay
      ? addDays(task.start, shift)
      : shiftInstant(task.start, shift, data.ctx.zone);
    patch.end = task.allDay
      ? addDays(task.end, shift)
      : shiftInstant(task.end, shift, data.ctx.zone);
  }
  try {
    await api.updateTask(task.id, patch);
    toast(t('planning.moved'));
  } catch (error) {
    toast(errorText(error), 'error');
  }
  await renderPlanning(data);
}

/** The resources after moving the bar from one row to another; the same array if unchanged. */
function moveResource(resourceIds: string[], from: string, to: string): string[] {
  if (from === to || !to) return resourceIds;
  if (!from) return [to];
  if (resourceIds.includes(to)) return resourceIds.filter((id) => id !== from);
  return resourceIds.map((id) => (id === from ? to : id));
}
