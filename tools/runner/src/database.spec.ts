import { chooseDatabase, classifyPgError, type PgProbeResult, type PostgresProbes } from './database';

/** Probes that answer from a table of URL → result, recording what was asked. */
function fakeProbes(results: Record<string, PgProbeResult>, creatable: string[] = []) {
  const calls: string[] = [];
  const probes: PostgresProbes = {
    async probe(url) {
      calls.push(`probe ${url}`);
      return results[url] ?? { ok: false, reason: 'other', message: `unexpected probe ${url}` };
    },
    async createDatabase(url, name) {
      calls.push(`create ${name} via ${url}`);
      if (!creatable.includes(url)) throw new Error('permission denied to create database');
    },
  };
  return { probes, calls };
}

const refused: PgProbeResult = { ok: false, reason: 'unreachable', message: 'connect ECONNREFUSED 127.0.0.1:5432' };
const noRole = (user: string): PgProbeResult => ({
  ok: false,
  reason: 'auth',
  message: `role "${user}" does not exist`,
});
const noDb: PgProbeResult = { ok: false, reason: 'no-database', message: 'database "crateflow" does not exist' };

describe('chooseDatabase', () => {
  it('uses DATABASE_URL without probing anything', async () => {
    const { probes, calls } = fakeProbes({});
    expect(await chooseDatabase({ DATABASE_URL: 'postgres://u:p@db/x' }, 'dj', probes)).toEqual({
      kind: 'env',
      url: 'postgres://u:p@db/x',
    });
    expect(calls).toEqual([]);
  });

  it('uses the local server as the current user when it lets us in', async () => {
    const { probes } = fakeProbes({ 'postgres://dj@127.0.0.1:5432/crateflow': { ok: true } });
    expect(await chooseDatabase({}, 'dj', probes)).toEqual({
      kind: 'local',
      url: 'postgres://dj@127.0.0.1:5432/crateflow',
      user: 'dj',
      created: false,
    });
  });

  it('falls back to the postgres user, creating the database when it is missing', async () => {
    const { probes, calls } = fakeProbes(
      {
        'postgres://root@127.0.0.1:5432/crateflow': noRole('root'),
        'postgres://postgres@127.0.0.1:5432/crateflow': noDb,
      },
      ['postgres://postgres@127.0.0.1:5432/postgres'],
    );
    expect(await chooseDatabase({ DATABASE_URL: ' ' }, 'root', probes)).toEqual({
      kind: 'local',
      url: 'postgres://postgres@127.0.0.1:5432/crateflow',
      user: 'postgres',
      created: true,
    });
    expect(calls).toEqual([
      'probe postgres://root@127.0.0.1:5432/crateflow',
      'probe postgres://postgres@127.0.0.1:5432/crateflow',
      'create crateflow via postgres://postgres@127.0.0.1:5432/postgres',
    ]);
  });

  it('tries postgres only once when that is the current user', async () => {
    const { probes, calls } = fakeProbes({ 'postgres://postgres@127.0.0.1:5432/crateflow': noRole('postgres') });
    const choice = await chooseDatabase({}, 'postgres', probes);
    expect(choice.kind).toBe('embedded');
    expect(calls).toHaveLength(1);
  });

  it('starts an embedded server when nothing listens on 5432', async () => {
    const { probes, calls } = fakeProbes({ 'postgres://dj@127.0.0.1:5432/crateflow': refused });
    expect(await chooseDatabase({}, 'dj', probes)).toEqual({
      kind: 'embedded',
      reason: 'no PostgreSQL answers on 127.0.0.1:5432',
    });
    expect(calls).toHaveLength(1);
  });

  it('starts an embedded server, saying why, when the local one refuses every user', async () => {
    const { probes } = fakeProbes({
      'postgres://dj@127.0.0.1:5432/crateflow': noDb,
      'postgres://postgres@127.0.0.1:5432/crateflow': {
        ok: false,
        reason: 'auth',
        message: 'password authentication failed for user "postgres"',
      },
    });
    const choice = await chooseDatabase({}, 'dj', probes);
    expect(choice).toEqual({
      kind: 'embedded',
      reason:
        'the PostgreSQL on 127.0.0.1:5432 did not let us in (as dj: cannot create database "crateflow" (permission denied to create database); ' +
        'as postgres: password authentication failed for user "postgres")',
    });
  });
});

describe('classifyPgError', () => {
  it.each([
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, 'unreachable'],
    [Object.assign(new Error(''), { errors: [{ code: 'ECONNREFUSED' }] }), 'unreachable'],
    [new Error('Connection terminated due to connection timeout'), 'unreachable'],
    [{ code: '3D000', message: 'database "crateflow" does not exist' }, 'no-database'],
    [{ code: '28P01', message: 'password authentication failed' }, 'auth'],
    [{ code: '28000', message: 'role "root" does not exist' }, 'auth'],
    [new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string'), 'auth'],
    [{ code: '53300', message: 'too many connections' }, 'other'],
  ])('sorts %p as %s', (error, reason) => {
    expect(classifyPgError(error).reason).toBe(reason);
  });
});
