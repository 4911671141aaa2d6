import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SETTINGS, type SettingKey } from './keys.js';

function accepts(key: SettingKey, value: unknown): boolean {
  return SETTINGS[key].schema.safeParse(value).success;
}

describe('setting values that reach a network address', () => {
  it('mail.smtp.host is a host name or an IP address', () => {
    for (const good of [
      '',
      'smtp.example.org',
      'localhost',
      '127.0.0.1',
      '::1',
      'mail-1.example',
    ]) {
      expect(accepts('mail.smtp.host', good), good).toBe(true);
    }
    for (const bad of ['bad host', 'smtp.example.org\r\nX: y', 'smtp://example.org', 'a..b']) {
      expect(accepts('mail.smtp.host', bad), bad).toBe(false);
    }
  });

  it('sms.http.baseUrl is an http or https address', () => {
    expect(accepts('sms.http.baseUrl', '')).toBe(true);
    expect(accepts('sms.http.baseUrl', 'https://api.twilio.com')).toBe(true);
    expect(accepts('sms.http.baseUrl', 'http://127.0.0.1:8089')).toBe(true);
    for (const bad of ['javascript:alert(1)', 'file:///etc/passwd', 'ftp://example.org']) {
      expect(accepts('sms.http.baseUrl', bad), bad).toBe(false);
    }
  });

  it('graph.tenant is a tenant name, id or domain, never a path', () => {
    for (const good of [
      'common',
      'organizations',
      'contoso.onmicrosoft.com',
      '72f988bf-86f1-41af-91ab-2d7cd011db47',
    ]) {
      expect(accepts('graph.tenant', good), good).toBe(true);
    }
    for (const bad of ['../../evil', 'contoso/oauth2', 'a b', 'contoso.example?x=1']) {
      expect(accepts('graph.tenant', bad), bad).toBe(false);
    }
  });
});

describe('graph.baseUrl', () => {
  it('is an https address, public Graph by default', () => {
    expect(SETTINGS['graph.baseUrl'].default).toBe('https://graph.microsoft.com/v1.0');
    expect(accepts('graph.baseUrl', 'https://graph.microsoft.us/v1.0')).toBe(true);
    for (const bad of ['http://graph.microsoft.com/v1.0', 'javascript:alert(1)', '', 'graph']) {
      expect(accepts('graph.baseUrl', bad), bad).toBe(false);
    }
  });
});

describe('every setting', () => {
  it('validates any value without throwing', () => {
    const value = fc.oneof(
      fc.string(),
      fc.webUrl({ authoritySettings: { withUserInfo: true } }),
      fc.anything(),
    );
    for (const [key, definition] of Object.entries(SETTINGS)) {
      fc.assert(
        fc.property(value, (candidate) => {
          expect(() => definition.schema.safeParse(candidate), key).not.toThrow();
        }),
        { numRuns: 200 },
      );
    }
  });
});
