import { describe, expect, it } from 'vitest';
import { taskInputSchema, taskPatchSchema } from './task-input.js';

const timing = { start: '2026-03-02T08:00:00Z', end: '2026-03-02T09:00:00Z' };

describe('task input', () => {
  it('keeps line breaks as LF, whatever the client sent', () => {
    // iCalendar TEXT has only \n (RFC 5545 3.3.11): a CR would be lost on export, and the
    // re-imported task would differ from the planning's.
    const input = taskInputSchema.parse({
      label: 'Pose\r\ncuisine',
      timing,
      remark: 'Ligne 1\r\nLigne 2\rLigne 3',
      location: 'Bât. A\r\nÉtage 2',
      category: 'a\rb',
    });
    expect(input).toMatchObject({
      label: 'Pose\ncuisine',
      remark: 'Ligne 1\nLigne 2\nLigne 3',
      location: 'Bât. A\nÉtage 2',
      category: 'a\nb',
    });
    expect(taskPatchSchema.parse({ remark: 'x\r\ny' })).toEqual({ remark: 'x\ny' });
  });
});
