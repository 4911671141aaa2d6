import { describe, expect, it } from 'vitest';

import { parseMultistatus, parseXml, readErrorConditions, readText } from './dav-xml.js';

describe('parseXml', () => {
  it('reads elements by local name, whatever their prefix', () => {
    const parsed = parseXml(
      '<d:multistatus xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/">' +
        '<d:sync-token>http://t/1</d:sync-token><cs:getctag>"7"</cs:getctag></d:multistatus>',
    );
    expect(parsed).toEqual({ multistatus: { 'sync-token': 'http://t/1', getctag: '"7"' } });
  });

  it('keeps attributes as @name, text beside children as #text, and drops xmlns', () => {
    const parsed = parseXml(
      '<C:supported-calendar-component-set xmlns:C="urn:ietf:params:xml:ns:caldav">' +
        '<C:comp name="VEVENT"/><C:comp name="VTODO">x</C:comp>' +
        '</C:supported-calendar-component-set>',
    );
    expect(parsed).toEqual({
      'supported-calendar-component-set': {
        comp: [{ '@name': 'VEVENT' }, { '@name': 'VTODO', '#text': 'x' }],
      },
    });
  });

  it('turns repeated children into arrays and empty elements into empty strings', () => {
    expect(parseXml('<a><b>1</b><b></b><c/></a>')).toEqual({ a: { b: ['1', ''], c: '' } });
    expect(parseXml('<a><href>only</href></a>')).toEqual({ a: { href: ['only'] } });
  });

  it('decodes character references and CDATA in calendar data', () => {
    const parsed = parseXml(
      '<a><data>BEGIN:VCALENDAR&#13;\nSUMMARY:R&amp;D &lt;1&gt;&#13;\n</data>' +
        '<more><![CDATA[LOCATION:<Lyon>]]></more></a>',
    );
    expect(parsed).toEqual({
      a: { data: 'BEGIN:VCALENDAR\r\nSUMMARY:R&D <1>\r\n', more: 'LOCATION:<Lyon>' },
    });
  });

  it('refuses a document that is not well-formed', () => {
    expect(() => parseXml('<a><b></a>')).toThrow();
    expect(() => parseXml('<a>&nbsp;</a>')).toThrow();
    expect(() => parseXml('')).toThrow();
  });
});

describe('parseMultistatus', () => {
  it('flattens each response to its href, status, found and missing properties', () => {
    const ms = parseMultistatus(
      '<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">' +
        '<response><href>/cal/a.ics</href><propstat><prop><getetag>"e1"</getetag>' +
        '<C:calendar-data>BEGIN:VCALENDAR</C:calendar-data></prop>' +
        '<status>HTTP/1.1 200 OK</status></propstat>' +
        '<propstat><prop><displayname/></prop><status>HTTP/1.1 404 Not Found</status></propstat>' +
        '</response><response><href>/cal/gone.ics</href><status>HTTP/1.1 404 Not Found</status>' +
        '</response><sync-token>tok-2</sync-token></multistatus>',
    );
    expect(ms.syncToken).toBe('tok-2');
    expect(ms.responses).toHaveLength(2);
    const [found, gone] = ms.responses;
    expect(found?.href).toBe('/cal/a.ics');
    expect(readText(found?.props.getetag)).toBe('"e1"');
    expect(readText(found?.props['calendar-data'])).toBe('BEGIN:VCALENDAR');
    expect(found?.missing).toEqual(['displayname']);
    expect(gone).toMatchObject({ href: '/cal/gone.ics', status: 404, props: {} });
  });

  it('reads an empty multistatus as no responses, and refuses another root', () => {
    expect(parseMultistatus('<multistatus xmlns="DAV:"/>')).toEqual({
      responses: [],
      syncToken: null,
    });
    expect(() => parseMultistatus('<error xmlns="DAV:"/>')).toThrow(/not a DAV multistatus/);
  });

  it('names the preconditions of an error body', () => {
    expect(readErrorConditions('<D:error xmlns:D="DAV:"><D:valid-sync-token/></D:error>')).toEqual([
      'valid-sync-token',
    ]);
    expect(readErrorConditions('not xml')).toEqual([]);
  });
});
