import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('has defaults for a zero-setup start', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.dataDir).toBe(path.resolve('.custos'));
    expect(c.database).toEqual({ kind: 'sqlite', file: path.resolve('.custos/custos.db') });
    expect(c.publicUrl).toBe('http://localhost:8080');
    expect(c.smtp).toBeNull();
    expect(c.redisUrl).toBeNull();
    expect(c.secureCookies).toBe(false);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads the audit keys and checkpoint interval, refusing malformed keys', () => {
    const masterKey = Buffer.alloc(32, 7).toString('base64');
    const signer =
      'PRIVATE+KEY+custos.example/custos-audit+0a1b2c3d+AZ9pDTxNgdxbWLZaQ0rl1rFnu6PmmbQd2n/Wcm6nA9S8';
    const c = loadConfig({
      CUSTOS_MASTER_KEY: masterKey,
      CUSTOS_AUDIT_SIGNING_KEY: signer,
      CUSTOS_AUDIT_CHECKPOINT_SECONDS: '2.5',
    });
    expect(c).toMatchObject({ masterKey, auditSigningKey: signer, auditCheckpointIntervalMs: 2500 });
    expect(loadConfig({})).toMatchObject({
      masterKey: null,
      auditSigningKey: null,
      auditCheckpointIntervalMs: 5000,
    });
    expect(() => loadConfig({ CUSTOS_MASTER_KEY: 'short' })).toThrow(/CUSTOS_MASTER_KEY/);
    expect(() => loadConfig({ CUSTOS_AUDIT_SIGNING_KEY: 'nope' })).toThrow(/CUSTOS_AUDIT_SIGNING_KEY/);
    expect(() => loadConfig({ CUSTOS_AUDIT_CHECKPOINT_SECONDS: '0' })).toThrow(/CHECKPOINT/);
  });

  it('reads an optional GeoIP database file, defaulting to the bundled one', () => {
    expect(loadConfig({}).geoipFile).toBeNull();
    expect(loadConfig({ CUSTOS_GEOIP_FILE: '/var/lib/geoip/GeoLite2-Country.mmdb' }).geoipFile).toBe(
      '/var/lib/geoip/GeoLite2-Country.mmdb',
    );
    expect(loadConfig({ CUSTOS_GEOIP_FILE: 'geo/country.mmdb' }).geoipFile).toBe(
      path.resolve('geo/country.mmdb'),
    );
    expect(() => loadConfig({ CUSTOS_GEOIP_FILE: '' })).toThrow(/CUSTOS_GEOIP_FILE/);
  });

  it('reads every documented variable', () => {
    const c = loadConfig({
      CUSTOS_PORT: '9000',
      CUSTOS_DATA_DIR: '/tmp/custos-x',
      CUSTOS_DATABASE_URL: 'postgres://u@h:5432/db',
      CUSTOS_PUBLIC_URL: 'https://custos.example.com/',
      CUSTOS_SMTP_URL: 'smtp://mail:25',
      CUSTOS_REDIS_URL: 'redis://127.0.0.1:6379',
      CUSTOS_LOG_LEVEL: 'warn',
    });
    expect(c).toMatchObject({
      port: 9000,
      dataDir: '/tmp/custos-x',
      database: { kind: 'postgres', url: 'postgres://u@h:5432/db' },
      publicUrl: 'https://custos.example.com',
      smtp: { url: 'smtp://mail:25' },
      redisUrl: 'redis://127.0.0.1:6379',
      logLevel: 'warn',
      secureCookies: true,
    });
    expect(loadConfig({ CUSTOS_TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ CUSTOS_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toBe(
      '10.0.0.0/8,127.0.0.1',
    );
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ CUSTOS_DATABASE_URL: 'sqlite:/tmp/a.db' }).database).toEqual({
      kind: 'sqlite',
      file: '/tmp/a.db',
    });
  });

  it('reads the PostgreSQL statement timeouts per role: short for requests, long for jobs (issue 15)', () => {
    const url = 'postgres://u@h:5432/db';
    expect(loadConfig({ CUSTOS_DATABASE_URL: url }).database).toEqual({
      kind: 'postgres',
      url,
      statementTimeouts: { requestMs: 5000, jobMs: 600_000 },
    });
    const tuned = loadConfig({
      CUSTOS_DATABASE_URL: url,
      CUSTOS_DATABASE_STATEMENT_TIMEOUT_MS: '2000',
      CUSTOS_DATABASE_JOB_STATEMENT_TIMEOUT_MS: '0',
    });
    expect(tuned.database).toMatchObject({ statementTimeouts: { requestMs: 2000, jobMs: 0 } });
    // SQLite has no statement timeout: the values are checked but carry nowhere.
    expect(loadConfig({ CUSTOS_DATABASE_STATEMENT_TIMEOUT_MS: '2000' }).database).not.toHaveProperty(
      'statementTimeouts',
    );
  });

  it.each([
    ['CUSTOS_PORT', 'eighty'],
    ['CUSTOS_PORT', '70000'],
    ['CUSTOS_DATABASE_URL', 'mysql://x'],
    ['CUSTOS_PUBLIC_URL', 'not a url'],
    ['CUSTOS_SMTP_URL', 'http://mail'],
    ['CUSTOS_REDIS_URL', 'memcached://x'],
    ['CUSTOS_LOG_LEVEL', 'loud'],
    ['CUSTOS_TRUST_PROXY', 'true'],
    ['CUSTOS_DATABASE_STATEMENT_TIMEOUT_MS', '5s'],
    ['CUSTOS_DATABASE_STATEMENT_TIMEOUT_MS', '-1'],
    ['CUSTOS_DATABASE_JOB_STATEMENT_TIMEOUT_MS', '1.5'],
  ])('stops on a bad %s naming the variable', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(variable));
  });
});
