import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main, receiptOf, type Receipt } from '../../examples/inbox.js';
import { tempDir } from '../connectors/files-helpers.js';

let tmp: ReturnType<typeof tempDir>;
let inboxDir: string;
let outbox: string;
beforeEach(() => {
  tmp = tempDir('consecution-inbox-');
  inboxDir = join(tmp.dir, 'inbox');
  outbox = join(tmp.dir, 'outbox');
  mkdirSync(inboxDir);
  mkdirSync(outbox);
});
afterEach(() => tmp.remove());

const receipt = (name: string) => JSON.parse(readFileSync(join(outbox, name), 'utf8')) as Receipt;

describe('examples/inbox', () => {
  it('turns the order files into receipts, dead-letters a bad one, and reads no file twice after a restart', async () => {
    writeFileSync(join(inboxDir, 'a.csv'), 'apple,3,0.5\npear,2,1.25\n');
    writeFileSync(join(inboxDir, 'bad.csv'), 'apple,3,0.5\nnot a line\n');
    writeFileSync(join(inboxDir, 'notes.txt'), 'not an order');
    const store = join(tmp.dir, 'store');
    const first = await main({ inbox: inboxDir, outbox, store, minAgeMs: 10, stopAfter: 2 });
    expect(first.report).toMatchObject({ completed: 1, deadLettered: 1 });
    expect(first.written).toEqual([join(outbox, 'a.json')]);
    expect(receipt('a.json')).toEqual({ file: join(inboxDir, 'a.csv'), lines: 2, total: 4 });
    const dead = readFileSync(join(outbox, 'dead-letters.ndjson'), 'utf8');
    expect(dead).toContain(`bad.csv line 2: expected item,quantity,price, got \\"not a line\\"`);

    // Restarted: only the new file is read.
    writeFileSync(join(inboxDir, 'b.csv'), 'plum,10,0.1\n');
    const second = await main({ inbox: inboxDir, outbox, store, minAgeMs: 10, stopAfter: 1 });
    expect(second.written).toEqual([join(outbox, 'b.json')]);
    expect(second.report).toMatchObject({ completed: 1, deadLettered: 0 });
    expect(receipt('b.json').total).toBe(1);
    expect(readdirSync(outbox).sort()).toEqual(['a.json', 'b.json', 'dead-letters.ndjson']);
  });

  it('totals an order', () => {
    expect(receiptOf({ path: '/in/x.csv', content: 'a,1,2\n\nb,2,0.25\n' })).toEqual({ path: '/in/x.json', content: '{"file":"/in/x.csv","lines":2,"total":2.5}\n' });
  });
});
