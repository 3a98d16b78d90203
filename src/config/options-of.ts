import { z } from 'zod';

/** The schema of a built-in's options object (replaced by src/schema once it lands). */
export function optionsOf(name: string): z.ZodObject {
  return name === 'consecutor' ? z.looseObject({ outputs: z.any(), clock: z.any() }) : z.looseObject({});
}
