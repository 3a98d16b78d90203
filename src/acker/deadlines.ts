import { Root } from './root.js';

/** How many roots {@link Deadlines.note} keeps before it links the pending ones. */
const FRESH = 1024;

/**
 * What the `prev` of a root noted but not yet swept is (see {@link Deadlines.note}): a root of its
 * own, never linked, so that the field keeps one type.
 */
const UNSWEPT = new Root({ now: 0, scope: '', complete() {}, fail() {} }, -1, undefined, undefined, 0);

/**
 * The pending roots a timeout check must find, in deadline order: an intrusive list through the
 * roots' `prev`/`next` (removal costs no hash map), and a buffer of roots noted since the last
 * {@link sweep}, linked only if still pending then.
 *
 * @example
 * ```ts
 * import type { Root } from './root.js';
 * import { Deadlines } from './deadlines.js';
 * declare const root: Root;
 * const deadlines = new Deadlines();
 * deadlines.note(root); // still pending after its admission
 * deadlines.sweep(); // before a timeout check: links it if it still is
 * deadlines.first; // the root whose deadline comes first
 * ```
 */
export class Deadlines {
  private head: Root | null = null;
  private tail: Root | null = null;
  /** Roots noted since the last sweep (see {@link note}). */
  private fresh: Root[] = new Array<Root>(FRESH);
  private freshCount = 0;
  /** How many roots of {@link fresh} are still marked {@link UNSWEPT}. */
  private unswept = 0;

  /** The root whose deadline comes first among the linked ones (sweep first to see all). */
  get first(): Root | null {
    return this.head;
  }

  /**
   * A newly admitted root is still pending once the graph has taken it (a chunk holds it, an async
   * node runs it). It is linked at the next {@link sweep}, and only if still pending then: most
   * such roots complete soon after (a chunk fills), and linking and unlinking each one cost W3 a
   * fifth of its instructions (stores into the long-lived list, which V8's write barrier records,
   * for every item). Until then it is marked {@link UNSWEPT}. Only for a root on its first attempt
   * that was never linked: one that failed inside its admission was linked when it failed.
   */
  note(root: Root): void {
    if (this.freshCount === FRESH) this.sweep();
    root.prev = UNSWEPT;
    this.fresh[this.freshCount++] = root;
    this.unswept++;
  }

  /**
   * Links the roots noted since the last sweep that are still unswept (pending, and not linked
   * since by a failure): before every timeout check, and every {@link FRESH} roots, so that the
   * buffer keeps few settled roots alive. Those still pending are most often the last noted, so
   * the buffer is searched from its end for as many as there are, then linked in admission order.
   * A new buffer each time, young in V8's heap, so that filling it records nothing.
   */
  sweep(): void {
    const fresh = this.fresh;
    const n = this.freshCount;
    const left = this.unswept;
    this.fresh = new Array<Root>(FRESH);
    this.freshCount = 0;
    this.unswept = 0;
    let i = n;
    for (let found = 0; found < left; ) if (fresh[--i]!.prev === UNSWEPT) found++;
    for (; i < n; i++) {
      const root = fresh[i]!;
      if (root.prev === UNSWEPT) {
        root.prev = null;
        this.append(root);
      }
    }
  }

  /** Links a root at the tail unless it is linked already (a replay, a restored root). */
  link(root: Root): void {
    if (!this.linked(root)) this.append(root);
  }

  /** To the tail, as the youngest in deadline order (a replayed root, one that waited). */
  requeue(root: Root): void {
    this.remove(root);
    this.append(root);
  }

  /** Unlinks a root if it is linked, or takes it out of the next sweep. */
  remove(root: Root): void {
    const prev = root.prev;
    if (prev === UNSWEPT) {
      root.prev = null;
      this.unswept--;
    } else if (prev !== null || this.head === root) this.drop(root);
  }

  /** Links a root that is not linked at the tail (its `next` is null then). */
  private append(root: Root): void {
    const tail = this.tail;
    root.prev = tail;
    if (tail === null) this.head = root;
    else tail.next = root;
    this.tail = root;
  }

  private linked(root: Root): boolean {
    const prev = root.prev;
    return (prev !== null && prev !== UNSWEPT) || this.head === root;
  }

  /** Unlinks a linked root. */
  private drop(root: Root): void {
    const prev = root.prev;
    const next = root.next;
    if (prev === null) this.head = next;
    else prev.next = next;
    if (next === null) this.tail = prev;
    else next.prev = prev;
    root.prev = null;
    root.next = null;
  }
}
