import { describe, expect, it } from 'vitest';
import { isOrdoError } from '../shared/errors.js';
import { composeTaskMessage } from './task-message.js';
import { sampleIcs, sampleTaskMessage } from './test-helpers.js';

describe('composeTaskMessage', () => {
  it('writes a French subject with the start in the company time zone', () => {
    const message = composeTaskMessage(sampleTaskMessage());
    expect(message.subject).toBe('Tâche : Réunion de chantier — mardi 7 mars 2023, 08:15');
  });

  it('writes an English subject, and a cancellation subject', () => {
    const english = composeTaskMessage(sampleTaskMessage({ language: 'en' }));
    expect(english.subject).toBe('Task: Réunion de chantier — Tuesday, 7 March 2023, 08:15');

    const icsText = sampleIcs({ method: 'CANCEL', sequence: 2, summary: 'x' });
    const cancel = composeTaskMessage(
      sampleTaskMessage({ method: 'CANCEL', sequence: 2, icsText, language: 'en' }),
    );
    expect(cancel.subject).toMatch(/^Cancelled: Réunion de chantier — /);
    expect(cancel.text).toMatch(/^This task is cancelled\.\n/);
    expect(cancel.icalEvent).toMatchObject({ method: 'CANCEL' });
  });

  it('shows the chosen fields in the chosen order, leaving empty ones out', () => {
    const message = composeTaskMessage(
      sampleTaskMessage({ fields: ['client', 'label', 'category', 'resource.mobile', 'end'] }),
    );
    expect(message.text).toBe(
      [
        'Client                   : Dupont & Fils',
        'Tâche                    : Réunion de chantier',
        'Catégorie                : Chantier',
        'Portable de la ressource : +33612345678',
        'Fin                      : mardi 7 mars 2023, 09:45',
        '',
      ].join('\n'),
    );
  });

  it('indents the following lines of a multi-line value and shows durations', () => {
    const message = composeTaskMessage(sampleTaskMessage({ fields: ['remark', 'duration'] }));
    expect(message.text).toBe(
      'Remarque : Apporter les plans.\n           Clé chez le gardien.\nDurée    : 1 h 30 min\n',
    );
  });

  it('shows all-day tasks as dates, the exclusive end as the last day', () => {
    const base = sampleTaskMessage();
    const message = composeTaskMessage({
      ...base,
      task: {
        ...base.task,
        timing: { allDay: true, startDate: '2024-12-25', endDate: '2024-12-27' },
      },
      fields: ['start', 'end', 'duration'],
    });
    expect(message.text).toContain('Début : mercredi 25 décembre 2024');
    expect(message.text).toContain('Fin   : jeudi 26 décembre 2024');
    expect(message.text).toContain('Durée : 2 jours');
  });

  it('escapes every value in the HTML part', () => {
    const base = sampleTaskMessage();
    const message = composeTaskMessage({
      ...base,
      task: { ...base.task, label: '<script>alert("x")</script> & co' },
      fields: ['label', 'client'],
    });
    expect(message.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co');
    expect(message.html).toContain('Dupont &amp; Fils');
    expect(message.html).not.toContain('<script>');
  });

  it('keeps line breaks out of the subject and names', () => {
    const base = sampleTaskMessage();
    const message = composeTaskMessage({
      ...base,
      task: { ...base.task, label: 'Visite\r\nBcc: mallory@evil.example' },
      from: { name: 'Planning\r\nX-Injected: 1', address: 'planning@ordo.example' },
    });
    expect(message.subject).not.toMatch(/[\r\n]/);
    expect(message.from).toEqual({
      name: 'Planning X-Injected: 1',
      address: 'planning@ordo.example',
    });
  });

  it('refuses an invitation whose METHOD or SEQUENCE differs from the message', () => {
    const wrongMethod = sampleTaskMessage({
      method: 'CANCEL',
      icsText: sampleIcs({ method: 'REQUEST', sequence: 0, summary: 'x' }),
    });
    expect(() => composeTaskMessage(wrongMethod)).toThrow(/METHOD/);

    const wrongSequence = sampleTaskMessage({
      sequence: 3,
      icsText: sampleIcs({ method: 'REQUEST', sequence: 2, summary: 'x' }),
    });
    expect(() => composeTaskMessage(wrongSequence)).toThrow(/SEQUENCE/);
  });

  it('refuses a message without recipients or with an invalid address', () => {
    const catchCode = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return isOrdoError(error) ? error.code : 'other';
      }
      return 'none';
    };
    expect(catchCode(() => composeTaskMessage(sampleTaskMessage({ to: [] })))).toBe(
      'MAIL_NO_RECIPIENT',
    );
    const to = [{ name: '', address: 'a@b.example\r\nBcc: x@evil.example' }];
    expect(catchCode(() => composeTaskMessage(sampleTaskMessage({ to })))).toBe(
      'MAIL_ADDRESS_INVALID',
    );
  });
});
