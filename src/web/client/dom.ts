/**
 * The one way this page builds elements. Text always goes in as text nodes, never as HTML,
 * so a task label such as `<img onerror=...>` is shown as it was typed and runs nothing.
 */
type Child = Node | string | number | null | undefined | false;

export interface Attrs {
  class?: string;
  id?: string;
  title?: string;
  type?: string;
  name?: string;
  value?: string;
  href?: string;
  for?: string;
  role?: string;
  disabled?: boolean;
  checked?: boolean;
  required?: boolean;
  hidden?: boolean;
  /** `data-*` attributes, without the prefix. */
  data?: Record<string, string>;
  aria?: Record<string, string>;
  on?: { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };
  [attribute: string]: unknown;
}

const SPECIAL = new Set(['class', 'data', 'aria', 'on', 'disabled', 'checked', 'hidden', 'value']);

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs.class) el.className = attrs.class;
  for (const [name, value] of Object.entries(attrs)) {
    if (SPECIAL.has(name) || value === undefined || value === null || value === false) continue;
    el.setAttribute(name, value === true ? '' : String(value));
  }
  if (attrs.disabled) el.toggleAttribute('disabled', true);
  if (attrs.hidden) el.hidden = true;
  if (attrs.checked && el instanceof HTMLInputElement) el.checked = true;
  if (attrs.value !== undefined) setValue(el, String(attrs.value));
  for (const [key, value] of Object.entries(attrs.data ?? {})) el.dataset[key] = value;
  for (const [key, value] of Object.entries(attrs.aria ?? {}))
    el.setAttribute(`aria-${key}`, value);
  for (const [type, listener] of Object.entries(attrs.on ?? {})) {
    el.addEventListener(type, listener as EventListener);
  }
  append(el, ...children);
  return el;
}

export function append(parent: Element, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(typeof child === 'number' ? String(child) : child);
  }
}

function setValue(el: HTMLElement, value: string): void {
  if (
    el instanceof HTMLInputElement ||
    el instanceof HTMLTextAreaElement ||
    el instanceof HTMLSelectElement ||
    el instanceof HTMLButtonElement ||
    el instanceof HTMLOptionElement
  ) {
    el.value = value;
  }
}

export function clear(el: Element): void {
  el.replaceChildren();
}

/** A `<select>` whose options are `[value, text]` pairs; `selected` picks one. */
export function select(
  attrs: Attrs,
  options: readonly (readonly [string, string])[],
  selected?: string | null,
): HTMLSelectElement {
  const el = h('select', attrs, ...options.map(([value, text]) => h('option', { value }, text)));
  if (selected !== undefined && selected !== null) el.value = selected;
  return el;
}

/** A labelled form field with a spot for its error, found by `data-error-for`. */
export function field(options: {
  label: string;
  control: HTMLElement;
  name: string;
  hint?: string;
}): HTMLElement {
  const id = options.control.id || `f-${options.name}-${Math.random().toString(36).slice(2, 8)}`;
  options.control.id = id;
  return h(
    'div',
    { class: 'field', data: { field: options.name } },
    h('label', { for: id }, options.label),
    options.control,
    options.hint ? h('small', { class: 'hint' }, options.hint) : null,
    h('div', { class: 'field-error', data: { errorFor: options.name }, role: 'alert' }),
  );
}
