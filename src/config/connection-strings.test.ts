import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import parsePg from 'pg-connection-string';
import { describeSink, parseCoreConnectionString, parseSinkConnectionString } from './connection-strings.ts';

const sink = (text: string | undefined) => {
  const parsed = parseSinkConnectionString(text);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  return parsed.value;
};

describe('shop database (ecommerceDatabaseConnectionString)', () => {
  it('reads the original ADO.NET MySQL string', () => {
    assert.deepEqual(sink('Server=localhost;Database=ecommercestock;Uid=userstock;Pwd=Tigrou007;'), {
      kind: 'mysql', host: 'localhost', port: 3306, user: 'userstock', password: 'Tigrou007', database: 'ecommercestock',
    });
  });

  it('accepts key aliases in any case, spaces in keys, a port, quoted values', () => {
    assert.deepEqual(sink('host=db.example.org; PORT=3307; database=shop; User Id=web; Password="p;w=d";'), {
      kind: 'mysql', host: 'db.example.org', port: 3307, user: 'web', password: 'p;w=d', database: 'shop',
    });
    assert.deepEqual(sink('SERVER=h;DATABASE=d;USER=u'), { kind: 'mysql', host: 'h', port: 3306, user: 'u', password: '', database: 'd' });
  });

  it('warns about ADO.NET options it does not use', () => {
    const parsed = parseSinkConnectionString('Server=h;Database=d;Uid=u;Pwd=p;SslMode=Required');
    assert.ok(parsed.ok);
    assert.match(parsed.warnings[0]!, /sslmode/);
  });

  it('reads mysql:// and postgres URLs; empty means embedded', () => {
    assert.deepEqual(sink('mysql://web:p%40ss@db:3310/shop'), { kind: 'mysql', host: 'db', port: 3310, user: 'web', password: 'p@ss', database: 'shop' });
    assert.deepEqual(sink('postgres://u:p@pg.local:5432/shop'), { kind: 'postgres', connectionString: 'postgres://u:p@pg.local:5432/shop' });
    assert.deepEqual(sink(''), { kind: 'embedded' });
    assert.deepEqual(sink(undefined), { kind: 'embedded' });
  });

  it('refuses broken strings without quoting the password', () => {
    for (const bad of [
      'Server=localhost;Uid=u;Pwd=hunter2hunter2',
      'Server=h;Database=d;Uid=u;Pwd=hunter2hunter2;Port=99999',
      'Server=localhost\\SQLEXPRESS;Database=x;Trusted_Connection=True;',
      'connection_string_to_ecommerce_database',
      'sqlserver://u:hunter2hunter2@h/d',
    ]) {
      const parsed = parseSinkConnectionString(bad);
      assert.equal(parsed.ok, false, bad);
      assert.doesNotMatch(parsed.ok ? '' : parsed.reason, /hunter2/);
    }
  });

  it('describes a sink with its password hidden', () => {
    assert.equal(describeSink(sink('Server=h;Database=d;Uid=u;Pwd=Tigrou007')), 'MySQL/MariaDB u:***@h:3306/d');
    assert.doesNotMatch(describeSink(sink('postgres://u:Tigrou007@h/d')), /Tigrou007/);
  });
});

describe('core database (hangfireDatabaseConnectionString)', () => {
  it('takes PostgreSQL URLs as they are', () => {
    assert.deepEqual(parseCoreConnectionString('postgresql://possync:pw@db:5432/possync?sslmode=require'), {
      kind: 'postgres', connectionString: 'postgresql://possync:pw@db:5432/possync?sslmode=require',
    });
  });

  it('turns libpq keyword strings into URLs that pg reads back the same', () => {
    const good = parseCoreConnectionString("host=db.local port=5433 dbname=possync user=app password='a b\\'c' application_name=possync");
    assert.equal(good.kind, 'postgres');
    const back = parsePg.parse(good.kind === 'postgres' ? good.connectionString : '');
    assert.equal(back.host, 'db.local');
    assert.equal(back.port, '5433');
    assert.equal(back.database, 'possync');
    assert.equal(back.user, 'app');
    assert.equal(back.password, "a b'c");
    const socket = parseCoreConnectionString('host=/var/run/postgresql dbname=possync');
    assert.equal(socket.kind, 'postgres');
    assert.equal(parsePg.parse(socket.kind === 'postgres' ? socket.connectionString : '').host, '/var/run/postgresql');
  });

  it('sets the original SQL Server string and placeholders aside (the caller warns)', () => {
    assert.equal(parseCoreConnectionString('Server=localhost\\SQLEXPRESS;Database=master;Trusted_Connection=True;').kind, 'ignored');
    assert.equal(parseCoreConnectionString('connection_string_to_hangfire_database').kind, 'ignored');
    assert.equal(parseCoreConnectionString('Server=h;Database=d;Uid=u;Pwd=p').kind, 'ignored');
  });

  it('refuses a broken PostgreSQL string', () => {
    assert.equal(parseCoreConnectionString('postgres://u:p@:99999/db').kind, 'invalid');
    assert.equal(parseCoreConnectionString('host=db dbnme=x').kind, 'invalid');
    assert.equal(parseCoreConnectionString('host=db port=http').kind, 'invalid');
  });
});
