import { IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { listWindowsZoneIds, windowsZoneToIana } from './windows-zones.js';

describe('windowsZoneToIana', () => {
  it('covers every CLDR "001" Windows zone, each mapped to a zone the IANA database knows', () => {
    const ids = listWindowsZoneIds();
    expect(ids.length).toBeGreaterThanOrEqual(139);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      const iana = windowsZoneToIana(id);
      expect(iana, id).not.toBeNull();
      expect(IANAZone.isValidZone(iana!), `${id} -> ${iana}`).toBe(true);
    }
  });

  it.each([
    ['Central Europe Standard Time', 'Europe/Budapest'],
    ['W. Europe Standard Time', 'Europe/Berlin'],
    ['Romance Standard Time', 'Europe/Paris'],
    ['GMT Standard Time', 'Europe/London'],
    ['Eastern Standard Time', 'America/New_York'],
    ['Pacific Standard Time', 'America/Los_Angeles'],
    ['China Standard Time', 'Asia/Shanghai'],
    ['Tokyo Standard Time', 'Asia/Tokyo'],
    ['UTC', 'Etc/UTC'],
    ['  romance   standard time ', 'Europe/Paris'],
    ['(UTC+01:00) Brussels, Copenhagen, Madrid, Paris', 'Europe/Paris'],
    ['(GMT+01:00) Brussels, Copenhagen, Madrid, Paris', 'Europe/Paris'],
    ['Mid-Atlantic Standard Time', 'Etc/GMT+2'],
  ])('%s is %s', (windows, iana) => {
    expect(windowsZoneToIana(windows)).toBe(iana);
  });

  it('knows nothing of names that are not Windows zones', () => {
    expect(windowsZoneToIana('Europe/Paris')).toBeNull();
    expect(windowsZoneToIana('Brussels, Copenhagen, Madrid, Paris')).toBeNull();
    expect(windowsZoneToIana('Mars Standard Time')).toBeNull();
  });
});
