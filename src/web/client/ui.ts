/**
 * Small pieces every page uses: a passing message, a confirmation window, a modal form
 * window, and showing an API error next to the field it concerns.
 */
import { ApiError } from './api.js';
import { h } from './dom.js';
import { errorText, t } from './i18n.js';

export function toast(message: string, kind: 'info' | 'error' = 'info'): void {
  const region = document.getElementById('toasts');
  if (!region) return;
  const item = h('div', { class: `toast toast-${kind}`, role: 'status' }, message);
  region.append(item);
  window.setTimeout(() => item.remove(), kind === 'error' ? 6000 : 2500);
}

/** Asks a yes/no question in a `<dialog>`; resolves true only on an explicit yes. */
export function confirmDialog(message: string): Promise<boolean> {
  return new Promise((resolve) => {
    const yes = h(
      'button',
      { type: 'button', class: 'danger', data: { confirm: 'yes' } },
      t('yes'),
    );
    const no = h('button', { type: 'button', data: { confirm: 'no' } }, t('no'));
    const dialog = h(
      'dialog',
      { class: 'confirm', aria: { label: t('confirm.title') } },
      h('p', {}, message),
      h('div', { class: 'buttons' }, no, yes),
    );
    const finish = (answer: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    yes.addEventListener('click', () => finish(true));
    no.addEventListener('click', () => finish(false));
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      finish(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    no.focus();
  });
}

/** A field's error goes away as soon as the user changes that field. */
export function clearErrorOnInput(form: HTMLElement): void {
  const clearField = (event: Event) => {
    const fieldEl = (event.target as HTMLElement).closest('.field');
    if (!fieldEl) return;
    fieldEl.classList.remove('invalid');
    const spot = fieldEl.querySelector<HTMLElement>('[data-error-for]');
    if (spot) spot.textContent = '';
  };
  form.addEventListener('input', clearField);
  form.addEventListener('change', clearField);
}

/** Clears the errors a form shows. */
export function clearErrors(form: HTMLElement): void {
  for (const el of form.querySelectorAll<HTMLElement>('[data-error-for]')) el.textContent = '';
  for (const el of form.querySelectorAll('.invalid')) el.classList.remove('invalid');
  const general = form.querySelector<HTMLElement>('.form-error');
  if (general) general.textContent = '';
}

/**
 * Shows `error` beside the field the server named (details.field), or at the top of the
 * form. `aliases` maps the server's field names to the form's where they differ.
 */
export function showError(
  form: HTMLElement,
  error: unknown,
  aliases: Record<string, string> = {},
): void {
  const text = errorText(error);
  const serverField = error instanceof ApiError ? error.field : null;
  const spot = serverField ? errorSpot(form, serverField, aliases) : null;
  if (spot) {
    spot.textContent = text;
    spot.closest('.field')?.classList.add('invalid');
    spot.closest('.field')?.querySelector<HTMLElement>('input, select, textarea')?.focus();
    return;
  }
  const general = form.querySelector<HTMLElement>('.form-error');
  if (general) general.textContent = text;
  else toast(text, 'error');
}

/** The error spot for a server field: `reminder.minutes` falls back to `reminder`. */
function errorSpot(
  form: HTMLElement,
  serverField: string,
  aliases: Record<string, string>,
): HTMLElement | null {
  const parts = serverField.split('.');
  for (const candidate of [serverField, parts[0] ?? '', parts[parts.length - 1] ?? '']) {
    const name = aliases[candidate] ?? candidate;
    const spot = form.querySelector<HTMLElement>(`[data-error-for="${CSS.escape(name)}"]`);
    if (spot) return spot;
  }
  return null;
}

export interface FormWindowOptions {
  title: string;
  body: HTMLElement[];
  /** Runs on submit; throwing shows the error in the form and keeps the window open. */
  onSubmit: (form: HTMLFormElement) => Promise<void>;
  aliases?: Record<string, string>;
  submitLabel?: string;
}

/** A modal `<dialog>` holding a form; resolves true when the form was saved. */
export function formWindow(options: FormWindowOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const submit = h(
      'button',
      { type: 'submit', class: 'primary' },
      options.submitLabel ?? t('save'),
    );
    const cancel = h('button', { type: 'button' }, t('cancel'));
    const form = h(
      'form',
      { class: 'form', novalidate: true },
      h('h2', {}, options.title),
      h('div', { class: 'form-error', role: 'alert' }),
      ...options.body,
      h('div', { class: 'buttons' }, cancel, submit),
    );
    const dialog = h('dialog', { class: 'form-window' }, form);
    clearErrorOnInput(form);
    const finish = (saved: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(saved);
    };
    cancel.addEventListener('click', () => finish(false));
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      finish(false);
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      clearErrors(form);
      submit.disabled = true;
      options
        .onSubmit(form)
        .then(() => finish(true))
        .catch((error: unknown) => showError(form, error, options.aliases))
        .finally(() => {
          submit.disabled = false;
        });
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** The trimmed value of a named control of `form`, or null when empty. */
export function valueOf(form: HTMLFormElement, name: string): string | null {
  const control = form.elements.namedItem(name);
  if (!(
    control instanceof HTMLInputElement ||
    control instanceof HTMLSelectElement ||
    control instanceof HTMLTextAreaElement
  )) {
    return null;
  }
  const value = control.value.trim();
  return value === '' ? null : value;
}

export function checked(form: HTMLFormElement, name: string): boolean {
  const control = form.elements.namedItem(name);
  return control instanceof HTMLInputElement && control.checked;
}
