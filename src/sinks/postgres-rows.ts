import { quoteIdent } from '../connectors/postgres.js';
import { ConsecutionError, preview, previewTyped } from '../errors.js';

/** PostgreSQL takes at most this many parameters ($n) in one statement. */
export const MAX_PARAMETERS = 65_535;

/** One value on its way into the table, checked, and what became of it. */
export interface PendingRow {
  readonly value: Record<string, unknown>;
  readonly key: string | undefined;
  /** Set when PostgreSQL refused this row alone (its batch went in without it). */
  failure?: unknown;
}

/**
 * The shape of a table's rows as toPostgres writes them: the columns taken from each value, the key
 * column (if any), and the statements that insert n rows. Without explicit columns they are the
 * first value's fields, fixed from then on.
 */
export class RowShape {
  private columns: readonly string[] | undefined;
  private readonly explicit: boolean;
  private insertTexts = new Map<number, string>();

  constructor(
    private readonly table: string,
    private readonly tableSql: string,
    columns: readonly string[] | undefined,
    private readonly keyColumn: string | undefined,
  ) {
    this.columns = columns;
    this.explicit = columns !== undefined;
  }

  /** Rows per INSERT that stay within PostgreSQL's parameter limit. */
  get rowsPerStatement(): number {
    return Math.floor(MAX_PARAMETERS / this.paramsPerRow);
  }

  private get paramsPerRow(): number {
    return (this.columns?.length ?? 0) + (this.keyColumn === undefined ? 0 : 1);
  }

  /**
   * Checks that `value` (and `key`) make a row: throws `BAD_INPUT` (not retryable) for a value that
   * is not a plain object, lacks a column (or has it undefined), or, when the columns were taken
   * from the first value, has a field that is not one of them; or for a missing key.
   */
  check(value: unknown, key: string | undefined): PendingRow {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw this.bad(`expected an object whose fields are the columns, got ${previewTyped(value)}`);
    }
    const v = value as Record<string, unknown>;
    const columns = (this.columns ??= this.firstColumns(v));
    for (let i = 0; i < columns.length; i++) {
      if (v[columns[i]!] === undefined) throw this.bad(`the value has no field "${columns[i]}" (columns: ${columns.join(', ')}): ${preview(value)}`);
    }
    if (!this.explicit) {
      for (const field in v) {
        if (v[field] !== undefined && !columns.includes(field)) {
          if (field === this.keyColumn) throw this.bad(`the value has a field "${field}", but that column (keyColumn) takes meta.key: ${preview(value)}`);
          throw this.bad(`the value has a field "${field}" that is not among the columns taken from the first value (${columns.join(', ')}); pass columns to choose them: ${preview(value)}`);
        }
      }
    }
    if (this.keyColumn !== undefined && typeof key !== 'string') throw this.bad(`keyColumn "${this.keyColumn}" needs meta.key, got ${previewTyped(key)}`);
    return { value: v, key, failure: undefined };
  }

  /** The parameters of rows `from` to `to` of `batch`, in column order, row after row. */
  params(batch: readonly PendingRow[], from: number, to: number): unknown[] {
    const columns = this.columns!;
    const n = columns.length;
    const keyed = this.keyColumn !== undefined;
    const params = new Array<unknown>((to - from) * this.paramsPerRow);
    let j = 0;
    for (let r = from; r < to; r++) {
      const row = batch[r]!;
      for (let c = 0; c < n; c++) params[j++] = row.value[columns[c]!];
      if (keyed) params[j++] = row.key;
    }
    return params;
  }

  /** The INSERT of `n` rows, with ON CONFLICT (keyColumn) DO NOTHING when there is a key. */
  insert(n: number): string {
    let text = this.insertTexts.get(n);
    if (text !== undefined) return text;
    const width = this.paramsPerRow;
    const tuples = new Array<string>(n);
    for (let r = 0; r < n; r++) {
      const ps = new Array<string>(width);
      for (let c = 0; c < width; c++) ps[c] = `$${r * width + c + 1}`;
      tuples[r] = `(${ps.join(', ')})`;
    }
    text = `INSERT INTO ${this.tableSql} (${this.columnList()}) VALUES ${tuples.join(', ')}${this.onConflict()}`;
    // The full batch and the single row are the texts asked for again and again.
    if (this.insertTexts.size < 4) this.insertTexts.set(n, text);
    return text;
  }

  /**
   * A statement that inserts nothing but fails as an insert would when the table, a column or the
   * key column's unique constraint is not there: what open() runs.
   */
  probe(): string {
    const names = this.columnList();
    if (names === '') return `SELECT FROM ${this.tableSql} WHERE false`;
    const nulls = Array.from({ length: this.paramsPerRow }, () => 'NULL').join(', ');
    return `INSERT INTO ${this.tableSql} (${names}) SELECT ${nulls} WHERE false${this.onConflict()}`;
  }

  private columnList(): string {
    const all = [...(this.columns ?? []), ...(this.keyColumn === undefined ? [] : [this.keyColumn])];
    return all.map(quoteIdent).join(', ');
  }

  private onConflict(): string {
    return this.keyColumn === undefined ? '' : ` ON CONFLICT (${quoteIdent(this.keyColumn)}) DO NOTHING`;
  }

  private firstColumns(v: Record<string, unknown>): readonly string[] {
    const fields = Object.keys(v).filter((f) => v[f] !== undefined && f !== this.keyColumn);
    if (fields.length === 0 && this.keyColumn === undefined) throw this.bad(`the first value has no fields to take the columns from: ${preview(v)}`);
    this.insertTexts = new Map();
    return fields;
  }

  private bad(why: string): ConsecutionError {
    return new ConsecutionError('BAD_INPUT', `toPostgres(${this.table}): ${why}`, { retryable: false });
  }
}

/**
 * Whether PostgreSQL refused `e` for the data of a row rather than for the connection or the
 * statement: SQLSTATE class 22 (data exception: a bad number, a string too long) or 23 (integrity:
 * not null, check, foreign key, unique). Such a batch is tried again row by row to find it.
 */
export function isRowError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

/**
 * Whether trying a refused row again can help: only after a foreign key violation (23503), as the
 * row it refers to may be written meanwhile. A bad value or a broken NOT NULL, CHECK or UNIQUE
 * constraint stays so.
 */
export function isRetryableRowError(e: unknown): boolean {
  return (e as { code?: unknown }).code === '23503';
}
