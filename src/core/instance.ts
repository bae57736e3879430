import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/** This process among the possync instances sharing a database: host, pid and a random part (pids recycle). */
export const INSTANCE_ID = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
