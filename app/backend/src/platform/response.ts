// Building blocks of response schemas. A response schema describes the JSON as it travels
// (dates are ISO strings, ids are strings) and is strict, so the check in http.ts fails on a
// field the document does not declare. `component` names a schema once; the OpenAPI document
// then lists it under components.schemas and refers to it with $ref.
import { z } from 'zod';

const COMPONENTS = new Map<z.ZodType, string>();

/** Registers `schema` as the shared OpenAPI component `id` and returns it unchanged. */
export function component<T extends z.ZodType>(id: string, schema: T): T {
  const known = [...COMPONENTS].find(([, name]) => name === id);
  if (known && known[0] !== schema) throw new Error(`OpenAPI component ${id} is declared twice`);
  COMPONENTS.set(schema, id);
  return schema;
}

/** Every component declared so far (the modules declare theirs when they are imported). */
export const components = (): ReadonlyMap<z.ZodType, string> => COMPONENTS;

export const ZId = z.string().regex(/^[a-f0-9]{24}$/);
export const ZDateTime = z.iso.datetime();

/** `{ items, nextCursor }`: one page of a list read with `?cursor=` (null: the last page). */
export const page = <T extends z.ZodType>(id: string, item: T) =>
  component(
    `${id}Page`,
    z.strictObject({
      items: z.array(item),
      nextCursor: z
        .string()
        .nullable()
        .describe('Pass as `cursor` for the next page; null at the end'),
    }),
  );

/** `{ items }`: a whole (short) list. */
export const list = <T extends z.ZodType>(item: T) => z.strictObject({ items: z.array(item) });
