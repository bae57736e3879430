import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestCore } from '../../test/support/core.ts';
import { startBoss } from './boss.ts';
import { DISPATCH_QUEUE, ensureQueues, queueOptions } from './queues.ts';

test('ensureQueues brings an existing queue to the current options; a policy it cannot change stops start-up', async (t) => {
  const opened = await openTestCore('postgres');
  t.after(() => opened.dispose());
  const boss = await startBoss(opened.core, () => undefined);
  t.after(() => boss.stop({ graceful: false }));
  const wanted = queueOptions(30).find((q) => q.name === DISPATCH_QUEUE)!;
  // As an older possync left it.
  await boss.updateQueue(DISPATCH_QUEUE, { retryLimit: 3, expireInSeconds: 60 });
  assert.equal((await boss.getQueue(DISPATCH_QUEUE))!.retryLimit, 3);
  await ensureQueues(boss, queueOptions(30));
  const now = (await boss.getQueue(DISPATCH_QUEUE))!;
  assert.deepEqual([now.retryLimit, now.expireInSeconds, now.heartbeatSeconds], [wanted.retryLimit, wanted.expireInSeconds, wanted.heartbeatSeconds]);


  // A changed Jobs.HeartbeatSeconds reaches every queue of an existing database at the next start.
  await ensureQueues(boss, queueOptions(12));
  for (const queue of queueOptions(12)) assert.equal((await boss.getQueue(queue.name))!.heartbeatSeconds, 12, queue.name);

  await boss.deleteQueue(DISPATCH_QUEUE);
  await boss.createQueue(DISPATCH_QUEUE, { policy: 'standard' });
  await assert.rejects(ensureQueues(boss, queueOptions(30)), /job queue possync-dispatch has policy standard, possync needs stately/);
});
