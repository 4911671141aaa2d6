/** The XML request bodies the CalDAV provider sends (RFC 4918, RFC 4791, RFC 6578). */
import { escapeXml } from './dav-xml.js';

const NAMESPACES =
  'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CS="http://calendarserver.org/ns/"';
const PROLOG = '<?xml version="1.0" encoding="utf-8"?>';

export const XML_HEADERS = { 'Content-Type': 'application/xml; charset=utf-8' };

export function propfindBody(props: readonly string[]): string {
  return `${PROLOG}<D:propfind ${NAMESPACES}><D:prop>${props.map((p) => `<${p}/>`).join('')}</D:prop></D:propfind>`;
}

/** What the provider asks of the collection before a full listing or a ctag check. */
export const COLLECTION_PROPS = [
  'D:resourcetype',
  'D:displayname',
  'D:sync-token',
  'CS:getctag',
  'D:supported-report-set',
  'C:supported-calendar-component-set',
  'D:current-user-privilege-set',
];

/** RFC 6578 §3.2: sync-level 1, only ETags; the data comes by multiget afterwards. */
export function syncCollectionBody(token: string): string {
  return (
    `${PROLOG}<D:sync-collection ${NAMESPACES}>` +
    `<D:sync-token>${escapeXml(token)}</D:sync-token><D:sync-level>1</D:sync-level>` +
    '<D:prop><D:getetag/></D:prop></D:sync-collection>'
  );
}

/**
 * RFC 4791 §7.8: the objects of one component with a §9.9 time-range, or (component null)
 * every object of the collection.
 */
export function calendarQueryBody(
  options: { component: string; window: { from: number; to: number } } | { component: null },
): string {
  const inner =
    options.component === null
      ? ''
      : `<C:comp-filter name="${options.component}">` +
        `<C:time-range start="${caldavTime(options.window.from)}" ` +
        `end="${caldavTime(options.window.to)}"/></C:comp-filter>`;
  return (
    `${PROLOG}<C:calendar-query ${NAMESPACES}>` +
    '<D:prop><D:getetag/><C:calendar-data/></D:prop>' +
    `<C:filter><C:comp-filter name="VCALENDAR">${inner}</C:comp-filter></C:filter>` +
    '</C:calendar-query>'
  );
}

/** RFC 4791 §9.7.5: finds the item holding a UID, after a no-uid-conflict refusal. */
export function uidQueryBody(options: { component: string; uid: string }): string {
  return (
    `${PROLOG}<C:calendar-query ${NAMESPACES}><D:prop><D:getetag/></D:prop>` +
    `<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="${options.component}">` +
    '<C:prop-filter name="UID"><C:text-match collation="i;octet">' +
    `${escapeXml(options.uid)}</C:text-match></C:prop-filter>` +
    '</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>'
  );
}

/** RFC 4791 §7.9. */
export function multigetBody(hrefs: readonly string[]): string {
  return (
    `${PROLOG}<C:calendar-multiget ${NAMESPACES}>` +
    '<D:prop><D:getetag/><C:calendar-data/></D:prop>' +
    hrefs.map((href) => `<D:href>${escapeXml(href)}</D:href>`).join('') +
    '</C:calendar-multiget>'
  );
}

export function mkcalendarBody(displayName: string): string {
  return (
    `${PROLOG}<C:mkcalendar ${NAMESPACES}><D:set><D:prop>` +
    `<D:displayname>${escapeXml(displayName)}</D:displayname>` +
    '</D:prop></D:set></C:mkcalendar>'
  );
}

/** RFC 4791 §9.9: UTC date-time form `20240101T000000Z`. */
export function caldavTime(epochMs: number): string {
  return new Date(epochMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}
