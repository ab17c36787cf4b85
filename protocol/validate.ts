import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

export interface SchemaIssue {
  /** JSON pointer of the offending value, e.g. `/position/lat`. */
  path: string;
  message: string;
}

export interface Validator<T extends TSchema> {
  check(value: unknown): value is Static<T>;
  /** The first few issues, for error messages and dead-letter details. */
  issues(value: unknown, max?: number): SchemaIssue[];
}

/** Compiles a schema once; checking is then a plain function call (hot path of ingest). */
export function validator<T extends TSchema>(schema: T): Validator<T> {
  const compiled = TypeCompiler.Compile(schema);
  return {
    check: (value): value is Static<T> => compiled.Check(value),
    issues(value, max = 3) {
      const out: SchemaIssue[] = [];
      for (const e of compiled.Errors(value)) {
        out.push({ path: e.path || '/', message: e.message });
        if (out.length >= max) break;
      }
      return out;
    },
  };
}

export function describeIssues(issues: SchemaIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}
