import { resolveStoreLocation, storeLocationFromEnv } from './store-location.js';

describe('resolveStoreLocation', () => {
  it('prefers DATABASE_URL, shows it with the password masked and the rest as written', () => {
    const location = resolveStoreLocation({ databaseUrl: 'postgres://app:hunter2-secret@db:5432/app', dataDir: '/data' }, 'postgresql://other@h/x');
    expect(location).toEqual({ kind: 'postgres', url: 'postgres://app:hunter2-secret@db:5432/app', display: 'postgres://app:***@db:5432/app' });
  });

  it('falls back to general_settings.database_url, then SQLite in the data dir, then in memory', () => {
    expect(resolveStoreLocation({ dataDir: '/data' }, 'postgresql://u@h/x')).toMatchObject({ kind: 'postgres', display: 'postgresql://u@h/x' });
    expect(resolveStoreLocation({ dataDir: '/data' }, undefined)).toEqual({ kind: 'sqlite', file: '/data/switchboard.db', display: '/data/switchboard.db' });
    expect(resolveStoreLocation(undefined, undefined)).toEqual({ kind: 'sqlite', file: ':memory:', display: 'in-memory SQLite' });
  });

  it.each([
    ['mysql://root:hunter2-secret@db/app', "got 'mysql://root:***@db/app'"],
    ['mysql://root@db/app', "got 'mysql://root@db/app'"],
    ['not a url: hunter2-secret', "got '<unparseable url>'"],
    // Parses, with the whole `root:hunter2-secret@db/app` as an opaque path: no user, yet an @.
    ['root:hunter2-secret@db/app', "got '<url not shown: it may carry credentials>'"],
    // A URL parser takes `u:pw` for credentials here, though it is not written as scheme://user:pass@.
    ['http:\\\\u:hunter2-secret@db/app', "got '<url not shown: it may carry credentials>'"],
  ])('refuses a database_url that is not PostgreSQL without printing its password: %s', (url, shown) => {
    const attempt = () => resolveStoreLocation({ databaseUrl: url }, undefined);
    expect(attempt).toThrow(shown);
    expect(attempt).toThrow(/postgres:\/\/ or postgresql:\/\//);
    expect(attempt).not.toThrow(/hunter2/);
    expect(attempt).toThrow(/leave it unset for the embedded SQLite store/);
  });
});

describe('storeLocationFromEnv', () => {
  it('takes the flag over DATA_DIR, and DATABASE_URL as given', () => {
    expect(storeLocationFromEnv('/flag', { DATA_DIR: '/env', DATABASE_URL: 'postgres://h/db' })).toEqual({ databaseUrl: 'postgres://h/db', dataDir: '/flag' });
    expect(storeLocationFromEnv(undefined, {})).toEqual({ databaseUrl: undefined, dataDir: './data' });
  });
});
