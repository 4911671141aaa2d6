import type { Client, Department, Resource, Task } from '../planning/types.js';
import {
  formatDuration,
  formatEnd,
  formatStart,
  type FormatContext,
  type MessageLanguage,
} from './task-format.js';

/** The task fields an administrator can choose to send, in the order they may pick. */
export const TASK_MESSAGE_FIELDS = [
  'label',
  'start',
  'end',
  'duration',
  'resources',
  'client',
  'remark',
  'location',
  'category',
  'department',
  'resource.email',
  'resource.mobile',
  'client.email',
  'client.mobile',
] as const;

export type TaskMessageField = (typeof TASK_MESSAGE_FIELDS)[number];

/** What a task message is written from: plain data, already read from the store. */
export interface TaskMessageData {
  task: Pick<Task, 'label' | 'timing' | 'remark' | 'location' | 'category'>;
  /** In the task's order; the first human one is "the resource" of `resource.*` fields. */
  resources: readonly Pick<Resource, 'name' | 'kind' | 'email' | 'mobile' | 'departmentId'>[];
  client: Pick<Client, 'name' | 'email' | 'mobile'> | null;
  /** To name the first human resource's department. */
  departments?: readonly Department[];
}

export interface TaskFieldRow {
  field: TaskMessageField;
  label: string;
  /** May hold line breaks (a remark); never empty. */
  value: string;
}

const LABELS: Record<MessageLanguage, Record<TaskMessageField, string>> = {
  fr: {
    label: 'Tâche',
    start: 'Début',
    end: 'Fin',
    duration: 'Durée',
    resources: 'Ressources',
    client: 'Client',
    remark: 'Remarque',
    location: 'Lieu',
    category: 'Catégorie',
    department: 'Service',
    'resource.email': 'E-mail de la ressource',
    'resource.mobile': 'Portable de la ressource',
    'client.email': 'E-mail du client',
    'client.mobile': 'Portable du client',
  },
  en: {
    label: 'Task',
    start: 'Start',
    end: 'End',
    duration: 'Duration',
    resources: 'Resources',
    client: 'Client',
    remark: 'Remark',
    location: 'Location',
    category: 'Category',
    department: 'Department',
    'resource.email': 'Resource e-mail',
    'resource.mobile': 'Resource mobile',
    'client.email': 'Client e-mail',
    'client.mobile': 'Client mobile',
  },
};

/** The chosen fields, in the chosen order, as label/value rows; empty values are left out. */
export function renderTaskFields(
  data: TaskMessageData,
  fields: readonly TaskMessageField[],
  context: FormatContext,
): TaskFieldRow[] {
  const rows: TaskFieldRow[] = [];
  for (const field of new Set(fields)) {
    const value = fieldValue(data, field, context).trim();
    if (value !== '') rows.push({ field, label: LABELS[context.language][field], value });
  }
  return rows;
}

function fieldValue(
  data: TaskMessageData,
  field: TaskMessageField,
  context: FormatContext,
): string {
  const { task, client } = data;
  const resource = data.resources.find((r) => r.kind === 'human') ?? null;
  switch (field) {
    case 'label':
      return task.label;
    case 'start':
      return formatStart(task.timing, context);
    case 'end':
      return formatEnd(task.timing, context);
    case 'duration':
      return formatDuration(task.timing, context.language);
    case 'resources':
      return data.resources.map((r) => r.name).join(', ');
    case 'client':
      return client?.name ?? '';
    case 'remark':
      return task.remark;
    case 'location':
      return task.location;
    case 'category':
      return task.category;
    case 'department':
      return data.departments?.find((d) => d.id === resource?.departmentId)?.name ?? '';
    case 'resource.email':
      return resource?.email ?? '';
    case 'resource.mobile':
      return resource?.mobile ?? '';
    case 'client.email':
      return client?.email ?? '';
    case 'client.mobile':
      return client?.mobile ?? '';
  }
}
