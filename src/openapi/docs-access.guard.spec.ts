import { presentedKey } from './docs-access.guard.js';

const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;
const key = (headers: Record<string, string>) => presentedKey({ headers });

describe('docs access: the presented key', () => {
  it('is the password of HTTP Basic, whatever the user name', () => {
    expect(key({ authorization: basic('admin:sk-master') })).toBe('sk-master');
    expect(key({ authorization: basic(':sk-master') })).toBe('sk-master');
    expect(key({ authorization: basic('me:sk:with:colons') })).toBe('sk:with:colons');
    expect(key({ authorization: `basic ${Buffer.from('u:sk-x').toString('base64')}` })).toBe('sk-x');
  });

  it('is absent for Basic without a password or a colon (a 401, never the user name taken as key)', () => {
    expect(key({ authorization: basic('sk-master') })).toBeUndefined();
    expect(key({ authorization: basic('admin:') })).toBeUndefined();
  });

  it('is the Bearer token, or the x-api-key / api-key header', () => {
    expect(key({ authorization: 'Bearer sk-master' })).toBe('sk-master');
    expect(key({ authorization: '  bearer   sk-master ' })).toBe('sk-master');
    expect(key({ 'x-api-key': 'sk-master' })).toBe('sk-master');
    expect(key({ 'api-key': 'sk-master' })).toBe('sk-master');
    expect(key({})).toBeUndefined();
  });
});
