// What every kill -9 test checks last: the store a killed and restarted job leaves behind holds
// nothing pending and no dead letter.
import { expect } from 'vitest';
import { openStore } from 'consecution';

export async function expectStoreEmpty(path: string): Promise<void> {
  const store = openStore(path);
  try {
    expect(store.stats()).toMatchObject({ pending: 0, deadLetters: 0 });
  } finally {
    await store.close();
  }
}
