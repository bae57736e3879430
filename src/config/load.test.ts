import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, DEFAULT_SINK_TABLE, describeConfig, loadConfig, maskSecret, parseConfig } from './index.ts';
import { problemsOf } from '../../test/support/config.ts';
/** The server limits a file that sets none gets (src/api/limits.test.ts checks each key). */
const DEFAULT_LIMITS = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, maxConnections: 1000 };

const FIXTURE = new URL('../../test/fixtures/original-appsettings.json', import.meta.url);

/** The sample from the original README, as published (placeholders included). */
const README_SAMPLE = readFileSync(new URL('../../test/fixtures/original-readme-appsettings.json', import.meta.url), 'utf8');

const lightspeed = {
  Type: '3', AccountID: '123456', ClientID: 'client-1', ClientSecret: 'client-secret-value-1234',
  RefreshToken: 'refresh-token-value-5678', EmployeeID: 1, RegisterID: 2, ShopID: 3,
};
const hiboutik = { Type: '2', AccessToken: 'HIBOUTIK-API-KEY-0123456789', EmailAddress: 'me@shop.example', AccountName: 'myshop', StoreID: 1 };
const square = { Type: '1', AccessToken: 'EAAAsquare-token-0123456789', Locations: ['L1'] };


let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'possync-config-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the original appsettings.json, verbatim', () => {
  it('is byte-for-byte the committed file (extra closing brace included)', async () => {
    const text = await readFile(FIXTURE, 'utf8');
    assert.equal(text.length, 932);
    assert.ok(text.endsWith('  } \n} \n}\n'));
  });

  it('loads, with a warning for each thing possync sets aside', async () => {
    const config = await loadConfig({ file: FIXTURE.pathname, env: {}, cwd: dir });
    assert.equal(config.source, FIXTURE.pathname);
    assert.deepEqual(config.core, { kind: 'pglite', dataDir: join(dir, '.possync/data') });
    assert.deepEqual(config.sink, { kind: 'mysql', host: 'localhost', port: 3306, user: 'userstock', password: 'Tigrou007', database: 'ecommercestock' });
    assert.deepEqual(config.sinkTable, DEFAULT_SINK_TABLE);
    assert.deepEqual(config.server, { host: '127.0.0.1', port: 5000, apiKeys: [], limits: DEFAULT_LIMITS });
    assert.deepEqual(config.schedule, { cron: '*/5 * * * *', timeZone: 'UTC', startOnBoot: false, maxItemAgeSeconds: null });
    assert.deepEqual(config.accounts, [
      {
        id: 'N7VH9XRBT57MP',
        name: 'Square N7VH9XRBT57MP',
        connection: { pos: 'square', baseUrl: 'https://connect.squareup.com', accessToken: 'sq0atp-RN1EcZgBNY4mh3vuhb2QTQ', locationIds: ['N7VH9XRBT57MP', '9WF13GDCN5EMG'] },
      },
      {
        id: 'henalluxmasi',
        name: 'Hiboutik henalluxmasi',
        connection: {
          pos: 'hiboutik', baseUrl: 'https://henalluxmasi.hiboutik.com/api', accountName: 'henalluxmasi', email: 'arthur.attout@outlook.com',
          apiKey: 'ESM2DK9PYDS7TM3FQN0XPGF01H87PMDU4QM', storeId: '1', warehouseId: '1', maximumRequests: 10000, reserveForSales: 1000,
        },
      },
    ]);
    const warnings = config.warnings.join('\n');
    assert.match(warnings, /content after the end of the root object \(from line 40/);
    assert.match(warnings, /hangfireDatabaseConnectionString is a SQL Server connection string/);
    assert.match(warnings, /PosAccess\.PosConfigurations\[1\]\.StoreID is not set: using store 1/);
    assert.match(warnings, /PosAccess\.PosConfigurations\[2\] is a Square account with no location/);
    assert.equal(config.warnings.length, 4);
  });

  it('describes it with every secret masked', async () => {
    const config = await loadConfig({ file: FIXTURE.pathname, env: {}, cwd: dir });
    const text = describeConfig(config).join('\n');
    assert.match(text, /sq0a…\(masked\)/);
    assert.match(text, /MySQL\/MariaDB userstock:\*\*\*@localhost:3306\/ecommercestock/);
    for (const secret of ['sq0atp-RN1EcZgBNY4mh3vuhb2QTQ', 'ESM2DK9PYDS7TM3FQN0XPGF01H87PMDU4QM', 'Tigrou007']) assert.ok(!text.includes(secret), secret);
  });
});

describe("the original README's sample", () => {
  it('loads once its placeholder shop connection string is given (here from the environment)', async () => {
    const file = join(dir, 'readme.json');
    await writeFile(file, README_SAMPLE);
    const config = await loadConfig({ file, cwd: dir, env: { POSSYNC__ecommerceDatabaseConnectionString: 'Server=db;Database=shop;Uid=web;Pwd=pw' } });
    assert.deepEqual(config.accounts.map((a) => [a.id, a.connection.pos]), [
      ['your_squarePOS_account_id', 'square'],
      ['your_hibouik_account_name', 'hiboutik'],
      ['your_lightspeed_account_id', 'lightspeed'],
    ]);
    const [sq, hb, ls] = config.accounts.map((a) => a.connection);
    assert.deepEqual(sq?.pos === 'square' && sq.locationIds, ['your_squarePOS_account_id']); // AccountID was the location
    assert.equal(hb?.pos === 'hiboutik' && hb.maximumRequests, 10000);
    assert.ok(ls?.pos === 'lightspeed');
    assert.deepEqual(
      [ls.employeeId, ls.registerId, ls.shopId, ls.paymentTypeId, ls.accessToken, ls.apiBaseUrl, ls.tokenUrl],
      ['1', '1', '1', '3', 'your_lightspeed_access_token', 'https://api.lightspeedapp.com', 'https://cloud.lightspeedapp.com/auth/oauth/token'],
    );
    assert.match(config.warnings.join('\n'), /hangfireDatabaseConnectionString is not a PostgreSQL connection string/);
  });

  it('as published, fails only on the placeholder shop connection string', async () => {
    const file = join(dir, 'readme.json');
    await writeFile(file, README_SAMPLE);
    await assert.rejects(loadConfig({ file, cwd: dir, env: {} }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.problems.length, 1);
      assert.match(error.problems[0]!, /^ecommerceDatabaseConnectionString is not a connection string/);
      return true;
    });
  });
});

describe('Type', () => {
  it('takes numbers, numeric text and the EnumPOSTypes names in any case', () => {
    const types = [1, '1', 'SQUAREPOS', 'squarepos', ' Square '].map((Type) => parseConfig({ PosAccess: { PosConfigurations: [{ ...square, Type }] } }).accounts[0]?.connection.pos);
    assert.deepEqual(types, ['square', 'square', 'square', 'square', 'square']);
    assert.equal(parseConfig({ PosAccess: { PosConfigurations: [{ ...hiboutik, Type: 'Hiboutik' }] } }).accounts[0]?.connection.pos, 'hiboutik');
    assert.equal(parseConfig({ PosAccess: { PosConfigurations: [{ ...hiboutik, Type: 2 }] } }).accounts[0]?.connection.pos, 'hiboutik');
    assert.equal(parseConfig({ PosAccess: { PosConfigurations: [{ ...lightspeed, Type: 'LIGHTSPEED' }] } }).accounts[0]?.connection.pos, 'lightspeed');
    assert.equal(parseConfig({ PosAccess: { PosConfigurations: [{ ...lightspeed, Type: 3 }] } }).accounts[0]?.connection.pos, 'lightspeed');
  });

  it('refuses 4 (the mobile client) and unknown values', () => {
    for (const Type of [4, '4', 'MOBILE_CLIENT']) {
      const problems = problemsOf(() => parseConfig({ PosAccess: { PosConfigurations: [square, { Type, AccountID: 'phone', FirebaseFCMID: 'x' }] } }));
      assert.deepEqual(problems, [
        "PosAccess.PosConfigurations[1].Type is 4 (MOBILE_CLIENT, the original's phone push client): possync does not support it; remove this entry",
      ]);
    }
    assert.match(problemsOf(() => parseConfig({ PosAccess: { PosConfigurations: [{ ...square, Type: 7 }] } }))[0]!, /Type must be 1 \(SQUAREPOS\), 2 \(HIBOUTIK\) or 3 \(LIGHTSPEED\) \(got "7"\)/);
    assert.match(problemsOf(() => parseConfig({ PosAccess: { PosConfigurations: [{ AccessToken: 'x' }] } }))[0]!, /PosConfigurations\[0\]\.Type is required/);
  });
});

describe('one pass, every problem by path', () => {
  it('lists all of them, in the original spelling', () => {
    const config = {
      hangfireDatabaseConnectionString: 'postgres://u:p@db:99999/x',
      ecommerceDatabaseConnectionString: 'Server=db;Uid=u;Pwd=p',
      Server: { Port: 70000, Host: '0.0.0.0' },
      Synchronizer: { Cron: '0 * * * * *', TimeZone: 'Europe/Atlantis', StartOnBoot: 'maybe' },
      EcommerceTable: { Name: 'stock; drop table x', Columns: { Quantity: 'idProductPOS' } },
      PosAccess: {
        PosConfigurations: [
          { Type: '1', AccountID: 'shop1' },
          { Type: '2', AccessToken: 'k', AccountName: 'bad name', StoreID: 0, MaximumRequests: 100, ReserveForSales: 100 },
          { Type: '3', accountid: '42', clientid: 'c', EmployeeID: 'one', ShopID: 1, RegisterID: 1 },
          { Type: '4' },
          { ...square, AccountID: 'shop1' },
          { ...square, BaseUrl: 'ftp://example.org', SquareVersion: 'latest' },
        ],
      },
    };
    const problems = problemsOf(() => parseConfig(config));
    const expected = [
      'hangfireDatabaseConnectionString is not a valid PostgreSQL URL',
      'ecommerceDatabaseConnectionString is missing database',
      'PosAccess.PosConfigurations[0].AccessToken is required for a Square account',
      'PosAccess.PosConfigurations[1].EmailAddress is required for a Hiboutik account',
      'PosAccess.PosConfigurations[1].AccountName must be the Hiboutik account name',
      'PosAccess.PosConfigurations[1].StoreID must be a whole number of at least 1 (got "0")',
      'PosAccess.PosConfigurations[1].ReserveForSales must be less than MaximumRequests (100)',
      'PosAccess.PosConfigurations[2].EmployeeID must be a whole number of at least 1 (got "one")',
      'PosAccess.PosConfigurations[2].ClientSecret is required for a Lightspeed account',
      'PosAccess.PosConfigurations[2].RefreshToken is required for a Lightspeed account',
      'PosAccess.PosConfigurations[3].Type is 4',
      'PosAccess.PosConfigurations[5].BaseUrl must be an http:// or https:// URL',
      'PosAccess.PosConfigurations[5].SquareVersion must be a date like 2026-09-16',
      'PosAccess.PosConfigurations[4] has the same account id "shop1" as PosAccess.PosConfigurations[0]',
      'Server.Port must be a whole number from 0 to 65535 (got "70000")',
      'Server.ApiKeys must hold at least one key when Server.Host is not a loopback address',
      'Synchronizer.TimeZone is not a known IANA time zone',
      'Synchronizer.Cron must have 5 fields',
      'Synchronizer.StartOnBoot must be true or false',
      'EcommerceTable.Name must be a table name',
      'EcommerceTable.Columns.Quantity uses the same column "idProductPOS" as PosItemId',
    ];
    for (const start of expected) assert.ok(problems.some((p) => p.startsWith(start)), `missing: ${start}\n${problems.join('\n')}`);
    // Entry [0] fails (no token) yet still counts for the duplicate check of [4].
    assert.equal(problems.length, expected.length, problems.join('\n'));
  });

  it('puts every problem in the error message', () => {
    try {
      parseConfig({ Server: { Port: -1 }, Synchronizer: { Cron: '61 * * * *' } }, {}, 'appsettings.json');
      assert.fail('expected a ConfigError');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /invalid configuration in appsettings\.json: 2 problems/);
      assert.match(error.message, /Server\.Port/);
      assert.match(error.message, /Synchronizer\.Cron .*minute/);
    }
  });

  it('warns about unknown keys by path, suggesting the key meant', () => {
    const config = parseConfig({ Sever: {}, PosAccess: { PosConfigurations: [{ ...square, AcessToken: 'x', ShopID: 1 }] } });
    const warnings = config.warnings.join('\n');
    assert.match(warnings, /^Sever is not a known key \(ignored\); did you mean Server\?$/m);
    assert.match(warnings, /PosAccess\.PosConfigurations\[0\]\.AcessToken is not a known key \(ignored\); did you mean AccessToken\?/);
    assert.match(warnings, /PosAccess\.PosConfigurations\[0\]\.ShopID is a Lightspeed key, not used by a Square account \(ignored\)/);
  });
});

describe('keys and defaults', () => {
  it('matches keys case-insensitively, like .NET configuration', () => {
    const config = parseConfig({ posaccess: { posconfigurations: [{ type: '1', ACCESSTOKEN: 'EAAAsquare-token-0123456789', locations: 'L1, L2' }] }, server: { PORT: '8080' } });
    assert.equal(config.server.port, 8080);
    assert.deepEqual(config.accounts[0]?.connection.pos === 'square' && config.accounts[0].connection.locationIds, ['L1', 'L2']);
  });

  it('reads every key possync adds', () => {
    const config = parseConfig(
      {
        hangfireDatabaseConnectionString: 'host=pg dbname=possync user=app',
        Server: { Host: '0.0.0.0', Port: 8081, ApiKeys: ['0123456789abcdef0123'] },
        Synchronizer: { Cron: '* 11,12,13 * * MON-FRI', TimeZone: 'Europe/Brussels', StartOnBoot: true },
        EcommerceTable: { Name: 'shop.stock', Columns: { Quantity: 'qty' } },
        PosAccess: {
          PosConfigurations: [
            { ...square, Id: 'main', Name: 'Main shop', LocationID: 'L0', BaseUrl: 'http://127.0.0.1:4010/', SquareVersion: '2025-08-20' },
            { ...hiboutik, WarehouseID: 2, MaximumRequests: 5000, ReserveForSales: 50, HiboutikCustomerID: 7, BaseUrl: 'http://127.0.0.1:4011/{AccountName}/api' },
            { ...lightspeed, PaymentTypeID: 9, LightspeedCustomerID: 0, ApiBaseUrl: 'http://127.0.0.1:4012', TokenUrl: 'http://127.0.0.1:4012/token' },
          ],
        },
      },
      {},
      null,
      { cwd: '/srv' },
    );
    assert.deepEqual(config.core, { kind: 'postgres', connectionString: 'postgresql://app@pg/possync', poolSize: 10 });
    assert.deepEqual(config.server, { host: '0.0.0.0', port: 8081, apiKeys: ['0123456789abcdef0123'], limits: DEFAULT_LIMITS });
    assert.deepEqual(config.schedule, { cron: '* 11,12,13 * * MON-FRI', timeZone: 'Europe/Brussels', startOnBoot: true, maxItemAgeSeconds: null });
    assert.deepEqual(config.sinkTable, { name: 'shop.stock', columns: { ...DEFAULT_SINK_TABLE.columns, quantity: 'qty' } });
    assert.deepEqual(config.sink, { kind: 'embedded' });
    const [sq, hb, ls] = config.accounts;
    assert.deepEqual(sq, {
      id: 'main',
      name: 'Main shop',
      connection: { pos: 'square', baseUrl: 'http://127.0.0.1:4010', accessToken: square.AccessToken, locationIds: ['L0', 'L1'], squareVersion: '2025-08-20' },
    });
    assert.deepEqual(hb?.connection, {
      pos: 'hiboutik', baseUrl: 'http://127.0.0.1:4011/myshop/api', accountName: 'myshop', email: 'me@shop.example', apiKey: hiboutik.AccessToken,
      storeId: '1', warehouseId: '2', customerId: '7', maximumRequests: 5000, reserveForSales: 50,
    });
    assert.equal(hb?.id, 'myshop');
    assert.equal(ls?.id, '123456');
    assert.deepEqual(ls?.connection, {
      pos: 'lightspeed', apiBaseUrl: 'http://127.0.0.1:4012', tokenUrl: 'http://127.0.0.1:4012/token', accountId: '123456', clientId: 'client-1',
      clientSecret: lightspeed.ClientSecret, refreshToken: lightspeed.RefreshToken, shopId: '3', employeeId: '1', registerId: '2', paymentTypeId: '9',
    });
  });

  it('Core.PoolSize sizes the PostgreSQL core\'s query pool: the same check from the file and the environment; unused on PGlite', () => {
    const pg = { hangfireDatabaseConnectionString: 'postgresql://app@pg/possync' };
    assert.equal((parseConfig({ ...pg, Core: { PoolSize: 25 } }).core as { poolSize?: number }).poolSize, 25);
    assert.equal((parseConfig(pg, { POSSYNC__Core__PoolSize: '30' }).core as { poolSize?: number }).poolSize, 30);
    for (const bad of [1, 0, 201, '12x', 2.5]) {
      assert.match(problemsOf(() => parseConfig({ ...pg, Core: { PoolSize: bad } }))[0]!, /^Core\.PoolSize must be a whole number from 2 to 200/);
      assert.match(problemsOf(() => parseConfig(pg, { POSSYNC__Core__PoolSize: String(bad) }))[0]!, /^Core\.PoolSize must be a whole number from 2 to 200/);
    }
    const embedded = parseConfig({ Core: { PoolSize: 20 } });
    assert.equal(embedded.core.kind, 'pglite');
    assert.ok(embedded.warnings.some((w) => w.includes('Core.PoolSize') && w.includes('not used')), embedded.warnings.join('\n'));
  });

  it('uses the embedded core in ./.possync/data (or Core.DataFolder) relative to cwd', () => {
    assert.deepEqual(parseConfig({}, {}, null, { cwd: '/srv/app' }).core, { kind: 'pglite', dataDir: '/srv/app/.possync/data' });
    assert.deepEqual(parseConfig({ Core: { DataFolder: 'state' } }, {}, null, { cwd: '/srv/app' }).core, { kind: 'pglite', dataDir: '/srv/app/state' });
  });

  it('lets two stores of one Hiboutik account coexist through Id', () => {
    const problems = problemsOf(() => parseConfig({ PosAccess: { PosConfigurations: [hiboutik, { ...hiboutik, StoreID: 2 }] } }));
    assert.deepEqual(problems, ['PosAccess.PosConfigurations[1] has the same account id "myshop" as PosAccess.PosConfigurations[0]; set a distinct Id']);
    const config = parseConfig({ PosAccess: { PosConfigurations: [hiboutik, { ...hiboutik, StoreID: 2, Id: 'myshop-2' }] } });
    assert.deepEqual(config.accounts.map((a) => a.id), ['myshop', 'myshop-2']);
  });
});

describe('environment overrides', () => {
  const secrets = {
    square: 'EAAAl-secret-square-token-from-env',
    hiboutik: 'HIBOUTIK-SECRET-KEY-FROM-ENV-123',
    clientSecret: 'lightspeed-client-secret-from-env',
    refresh: 'lightspeed-refresh-token-from-env',
    password: 'mysql-password-from-env',
    apiKey: 'api-key-from-env-0123456789',
  };
  const file = {
    ecommerceDatabaseConnectionString: 'Server=db;Database=shop;Uid=web;',
    PosAccess: {
      PosConfigurations: [
        { Type: '1', Locations: ['L1'] },
        { ...hiboutik, AccessToken: '' },
        { ...lightspeed, ClientSecret: undefined, RefreshToken: undefined },
      ],
    },
  };
  const env = {
    POSSYNC__PosAccess__PosConfigurations__0__AccessToken: secrets.square,
    POSSYNC__POSACCESS__POSCONFIGURATIONS__1__ACCESSTOKEN: secrets.hiboutik,
    'POSSYNC__PosAccess:PosConfigurations:2:ClientSecret': secrets.clientSecret,
    PosAccess__PosConfigurations__2__RefreshToken: secrets.refresh, // unprefixed, ASP.NET style
    POSSYNC__ecommerceDatabaseConnectionString: `Server=db;Database=shop;Uid=web;Pwd=${secrets.password}`,
    POSSYNC__Server__ApiKeys__0: secrets.apiKey,
    POSSYNC__Server__Port: '6000',
    PATH: '/usr/bin',
    HOME: '/root',
  };

  it('set secrets (and anything else) before validation', () => {
    const config = parseConfig(file, env);
    const [sq, hb, ls] = config.accounts.map((a) => a.connection);
    assert.equal(sq?.pos === 'square' && sq.accessToken, secrets.square);
    assert.equal(hb?.pos === 'hiboutik' && hb.apiKey, secrets.hiboutik);
    assert.equal(ls?.pos === 'lightspeed' && ls.clientSecret, secrets.clientSecret);
    assert.equal(ls?.pos === 'lightspeed' && ls.refreshToken, secrets.refresh);
    assert.equal(config.sink.kind === 'mysql' && config.sink.password, secrets.password);
    assert.deepEqual(config.server, { host: '127.0.0.1', port: 6000, apiKeys: [secrets.apiKey], limits: DEFAULT_LIMITS });
    assert.deepEqual(config.warnings, []);
  });

  it('prefixed variables win over unprefixed ones, which only reach the original keys; unknown prefixed sections are warned about', () => {
    const config = parseConfig({}, { POSSYNC__Server__Port: '7001', POSSYNC__Servr__Port: '1', SERVER: 'x', Server__Port: '1' });
    assert.equal(config.server.port, 7001);
    const both = parseConfig(
      { PosAccess: { PosConfigurations: [square] } },
      { PosAccess__PosConfigurations__0__LocationID: 'PLAIN', POSSYNC__PosAccess__PosConfigurations__0__LocationID: 'PREFIXED' },
    );
    assert.deepEqual(both.accounts[0]?.connection.pos === 'square' && both.accounts[0].connection.locationIds, ['PREFIXED', 'L1']);
    assert.match(config.warnings.join('\n'), /Servr is not a known key/);
  });

  it('never show a secret in describeConfig or in error messages', () => {
    const text = describeConfig(parseConfig(file, env)).join('\n');
    for (const secret of Object.values(secrets)) assert.ok(!text.includes(secret), `describeConfig shows ${secret}`);
    assert.match(text, /EAAA…\(masked\)/);

    // The same secrets in a configuration with problems everywhere.
    const broken = { ...file, Server: { Port: 'x' }, PosAccess: { PosConfigurations: [{ Type: '1', Locations: ['L 1'] }, { Type: '3', AccountID: 'a b' }] } };
    const badEnv = { ...env, POSSYNC__Server__ApiKeys__0: '', POSSYNC__PosAccess__PosConfigurations__1__ShopID: secrets.clientSecret };
    try {
      parseConfig(broken, badEnv);
      assert.fail('expected a ConfigError');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      const everything = `${error.message}\n${error.problems.join('\n')}\n${error.warnings.join('\n')}`;
      // ShopID is not secret, so its value may be quoted; the rest may not.
      for (const [name, secret] of Object.entries(secrets)) if (name !== 'clientSecret') assert.ok(!everything.includes(secret), `error shows ${secret}`);
    }
  });

  it('refuses an index that would leave a gap', () => {
    const config = parseConfig({ PosAccess: { PosConfigurations: [square] } }, { POSSYNC__PosAccess__PosConfigurations__5__Type: '1' });
    assert.match(config.warnings.join('\n'), /POSSYNC__PosAccess__PosConfigurations__5__Type ignored: index 5 would leave a gap/);
  });

  it('POSSYNC_CONFIG names the file; a missing named file is a problem, a missing default is not', async () => {
    const named = join(dir, 'named.json');
    await writeFile(named, JSON.stringify({ Server: { Port: 5050 } }));
    assert.equal((await loadConfig({ env: { POSSYNC_CONFIG: named }, cwd: dir })).server.port, 5050);
    await assert.rejects(loadConfig({ env: { POSSYNC_CONFIG: join(dir, 'nope.json') }, cwd: dir }), /not found/);
    const empty = await mkdtemp(join(tmpdir(), 'possync-empty-'));
    const config = await loadConfig({ env: {}, cwd: empty });
    assert.equal(config.source, null);
    assert.match(config.warnings[0]!, /no appsettings\.json/);
    await rm(empty, { recursive: true });
  });

  it('reports invalid JSON by line and column only', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{\n  "AccessToken": "very-secret-token-value" x\n}');
    await assert.rejects(loadConfig({ file: bad, env: {}, cwd: dir }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.problems[0]!, /is not valid JSON: .* at line 2, column 44/);
      assert.doesNotMatch(error.message, /very-secret/);
      return true;
    });
  });
});

describe('maskSecret', () => {
  it('keeps four characters of long secrets and none of short ones', () => {
    assert.equal(maskSecret('sq0atp-RN1EcZgBNY4mh3vuhb2QTQ'), 'sq0a…(masked)');
    assert.equal(maskSecret('short'), '***');
    assert.equal(maskSecret(''), '(not set)');
  });
});

describe('Dashboard.ReadOnly', () => {
  it('is off by default, set by the file or the environment, with one check for both', () => {
    assert.deepEqual(parseConfig({}).dashboard, { readOnly: false });
    assert.deepEqual(parseConfig({ Dashboard: { ReadOnly: true } }).dashboard, { readOnly: true });
    assert.deepEqual(parseConfig({}, { POSSYNC__Dashboard__ReadOnly: 'true' }).dashboard, { readOnly: true });
    assert.deepEqual(parseConfig({ Dashboard: { ReadOnly: true } }, { POSSYNC__Dashboard__ReadOnly: 'false' }).dashboard, { readOnly: false });
    assert.deepEqual(problemsOf(() => parseConfig({ Dashboard: { ReadOnly: 'sometimes' } })), ['Dashboard.ReadOnly must be true or false (got "sometimes")']);
    assert.deepEqual(problemsOf(() => parseConfig({}, { POSSYNC__Dashboard__ReadOnly: 'sometimes' })), ['Dashboard.ReadOnly must be true or false (got "sometimes")']);
    assert.ok(parseConfig({ Dashboard: { Theme: 'dark' } }).warnings.includes('Dashboard.Theme is not a known key (ignored)'));
  });
});
