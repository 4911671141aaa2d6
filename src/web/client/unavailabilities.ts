/**
 * Unavailabilities (indisponibilités) from the planning: a form window to block a resource
 * for whole days or between two times, and deletion after confirmation. They are not tasks:
 * they carry only a resource, a span and a reason.
 */
import type { UnavailabilityJson } from './api.js';
import { api, ApiError } from './api.js';
import type { AppContext } from './context.js';
import { field, h, select } from './dom.js';
import { errorText, t } from './i18n.js';
import { addDays, fromInputs, type CalendarDate } from './time.js';
import { checked, confirmDialog, formWindow, toast, valueOf } from './ui.js';

/** Opens the form for a new unavailability; resolves true when one was created. */
export function openUnavailabilityForm(
  ctx: AppContext,
  where: { date: CalendarDate; resourceId: string | null },
): Promise<boolean> {
  const resources = ctx.resources.map((r) => [r.id, r.name] as [string, string]);
  const wholeDays = h('input', { type: 'checkbox', name: 'wholeDays', checked: true });
  const startTime = h('input', { type: 'time', name: 'startTime', value: '08:00', hidden: true });
  const endTime = h('input', { type: 'time', name: 'endTime', value: '18:00', hidden: true });
  wholeDays.addEventListener('change', () => {
    startTime.hidden = wholeDays.checked;
    endTime.hidden = wholeDays.checked;
  });
  const dateTime = (date: HTMLElement, time: HTMLElement) =>
    h('div', { class: 'date-time' }, date, time);
  return formWindow({
    title: t('unavailability.title'),
    body: [
      h('p', { class: 'muted' }, t('unavailability.hint')),
      field({
        label: t('unavailability.resource'),
        name: 'resourceId',
        control: select({ name: 'resourceId' }, resources, where.resourceId ?? resources[0]?.[0]),
      }),
      h('label', { class: 'check' }, wholeDays, t('unavailability.wholeDays')),
      h(
        'div',
        { class: 'two' },
        field({
          label: t('task.start'),
          name: 'start',
          control: dateTime(
            h('input', { type: 'date', name: 'startDate', value: where.date }),
            startTime,
          ),
        }),
        field({
          label: t('task.end'),
          name: 'end',
          control: dateTime(
            h('input', { type: 'date', name: 'endDate', value: where.date }),
            endTime,
          ),
        }),
      ),
      field({
        label: t('unavailability.reason'),
        name: 'reason',
        control: h('input', { type: 'text', name: 'reason', maxlength: '500' }),
      }),
    ],
    onSubmit: async (form) => {
      const span = readSpan(ctx, form);
      await api.createUnavailability({
        resourceId: valueOf(form, 'resourceId') ?? '',
        ...span,
        reason: valueOf(form, 'reason') ?? '',
      });
      toast(t('saved'));
    },
  });
}

/**
 * Whole days travel as dates (the server reads them as midnight in the company's zone), the
 * last day chosen being included; otherwise as instants in the company's zone.
 */
function readSpan(ctx: AppContext, form: HTMLFormElement): { start: string; end: string } {
  const startDate = valueOf(form, 'startDate');
  const endDate = valueOf(form, 'endDate');
  if (!startDate) throw new ApiError(400, 'VALIDATION', t('error.VALIDATION'), { field: 'start' });
  if (!endDate) throw new ApiError(400, 'VALIDATION', t('error.VALIDATION'), { field: 'end' });
  if (checked(form, 'wholeDays')) return { start: startDate, end: addDays(endDate, 1) };
  const start = fromInputs(startDate, valueOf(form, 'startTime') ?? '', ctx.zone);
  const end = fromInputs(endDate, valueOf(form, 'endTime') ?? '', ctx.zone);
  if (!start || !end) {
    throw new ApiError(400, 'VALIDATION', t('error.VALIDATION'), {
      field: start ? 'end' : 'start',
    });
  }
  return { start, end };
}

/** Asks, then deletes; resolves true when the unavailability is gone. */
export async function deleteUnavailability(
  ctx: AppContext,
  item: UnavailabilityJson,
): Promise<boolean> {
  const name = ctx.resources.find((r) => r.id === item.resourceId)?.name ?? '';
  const reason = item.reason || t('planning.unavailable');
  if (!(await confirmDialog(t('unavailability.confirmDelete', { reason, name })))) return false;
  try {
    await api.deleteUnavailability(item.id);
    toast(t('deleted'));
    return true;
  } catch (error) {
    toast(errorText(error), 'error');
    return false;
  }
}
