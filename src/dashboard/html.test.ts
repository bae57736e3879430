import assert from 'node:assert/strict';
import { test } from 'node:test';
import { html, jsonScript, raw } from './html.ts';
import { isLoopbackAddress } from './access.ts';
import { maskPayload } from './mask.ts';

test('interpolated text is escaped; Html and raw pass through; lists join; nothing renders as nothing', () => {
  const name = '<script>alert("x")</script> & \'co\'';
  assert.equal(html`<td>${name}</td>`.value, '<td>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;</td>');
  assert.equal(html`<a title="${'" onmouseover="x'}">`.value, '<a title="&quot; onmouseover=&quot;x">');
  assert.equal(html`${html`<b>${'<'}</b>`}${raw('<i>')}`.value, '<b>&lt;</b><i>');
  assert.equal(html`${[1, '<', [html`<br>`]]}|${null}${undefined}${false}|${0}`.value, '1&lt;<br>||0');
});

test('JSON for a chart cannot close its script element', () => {
  const markup = jsonScript('c1', { label: '</script><script>alert(1)</script>' }).value;
  assert.equal(markup.match(/<\/script>/g)?.length, 1);
  assert.deepEqual(JSON.parse(markup.replace(/^<script[^>]*>/, '').replace(/<\/script>$/, '')), { label: '</script><script>alert(1)</script>' });
});

test('loopback: 127.0.0.0/8, ::1 and IPv4-mapped 127.x only', () => {
  for (const address of ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1']) assert.equal(isLoopbackAddress(address), true, address);
  for (const address of ['10.0.0.1', '0.0.0.0', '::', '::ffff:10.0.0.1', '128.0.0.1', '1127.0.0.1', 'localhost', '', undefined]) assert.equal(isLoopbackAddress(address), false, String(address));
});

test('job payloads are shown with secrets masked', () => {
  assert.deepEqual(maskPayload({ accountId: 'a', refreshToken: 'refresh-token-value-5678', nested: [{ apiKey: 'short' }], count: 3 }), {
    accountId: 'a', refreshToken: 'refr…(masked)', nested: [{ apiKey: '***' }], count: 3,
  });
});

test('credentials in error texts are redacted on the page, as in the API', () => {
  const page = html`<td>${'connect failed: postgres://shop:Sup3rSecret@db/shop; api_key=abc123'}</td>`.value;
  assert.doesNotMatch(page, /Sup3rSecret|abc123/);
  assert.match(page, /postgres:\/\/shop:\*\*\*@db\/shop; api_key=\*\*\*/);
});
