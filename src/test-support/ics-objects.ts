/** The iCalendar files of fixtures/interop (see its README), by name without `.ics`. */
export const INTEROP_CALENDARS = [
  '01-outlook-undefined-windows-tzid',
  '04-fold-surrogate-pair',
  '05-text-escapes',
  '06-duration-no-dtend',
  '08-valarm-triggers',
  '10-allday-single-day',
];

/**
 * One calendar object per UID, as a client stores them (RFC 4791 §4.1): the file's header
 * and time zones, then that UID's components, bytes otherwise untouched.
 */
export function splitByUid(text: string): Array<{ name: string; ics: string }> {
  const lines = text.split('\r\n');
  const header: string[] = [];
  const zones: string[] = [];
  const components: string[][] = [];
  let current: string[] | null = null;
  let inZone = false;
  for (const line of lines) {
    if (line === 'BEGIN:VCALENDAR' || line === 'END:VCALENDAR' || line === '') continue;
    if (line === 'BEGIN:VTIMEZONE') inZone = true;
    if (inZone) {
      zones.push(line);
      if (line === 'END:VTIMEZONE') inZone = false;
      continue;
    }
    if (!current && /^BEGIN:(VEVENT|VTODO)$/.test(line)) current = [];
    if (current) {
      current.push(line);
      if (/^END:(VEVENT|VTODO)$/.test(line)) {
        components.push(current);
        current = null;
      }
      continue;
    }
    if (!line.startsWith('METHOD:')) header.push(line);
  }
  return components.map((component, index) => {
    const uid = component.find((line) => line.startsWith('UID:'))?.slice(4) ?? `item-${index}`;
    const ics = ['BEGIN:VCALENDAR', ...header, ...zones, ...component, 'END:VCALENDAR', ''].join(
      '\r\n',
    );
    return { name: uid.replace(/[^A-Za-z0-9.-]/g, '_'), ics };
  });
}
