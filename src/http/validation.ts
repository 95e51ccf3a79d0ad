// The one input discipline every service's fastify instance validates with,
// and the schema pieces that bound what a client can make a service store.
//
// fastify's own ajv defaults are lenient: "0.1" passes as a number, unknown
// fields are silently dropped, "" passes as 0. Here a string is not a number
// and an unknown field is an error (routes say additionalProperties: false),
// so every input error is a 400 that names its field before any side effect.

/** `Fastify({ ajv: STRICT_AJV })`: the same options for the scheduler, the controller and the agent. */
export const STRICT_AJV = {
  customOptions: {
    coerceTypes: false,
    removeAdditional: false,
    allErrors: false,
    // Defaults still fill absent optional fields (`ports: []`); they never replace a wrong one.
    useDefaults: true,
    // ["string", "null"] in response schemas and the bounded free-form values below.
    allowUnionTypes: true,
    // Errors carry their schema, so a message can say what the field is meant to hold (its description).
    verbose: true,
  },
} as const;

export interface FreeFormBounds {
  /** Nesting levels of objects and arrays allowed below this value (0: scalars only). */
  depth: number;
  /** Fields per object, at every level. */
  maxProperties: number;
  /** Items per array, at every level. */
  maxItems: number;
  /** Characters per string and per field name, at every level. */
  maxLength: number;
}

/** Bounds for a stored free-form part of a body (an agent report's `memory`, `capabilities`, ...). */
export const FREE_FORM_BOUNDS: FreeFormBounds = { depth: 5, maxProperties: 64, maxItems: 256, maxLength: 4096 };

const SCALARS = ["string", "number", "boolean", "null"] as const;

/**
 * A JSON schema for any JSON value, up to `depth` levels of objects and
 * arrays, each bounded in size: the API stores it as sent, and answers it
 * back in GETs, so neither its depth nor its size is left to the client.
 * Written out level by level (no $ref recursion) so that a value nested
 * deeper fails at the first level too many, naming its path.
 */
export function freeFormSchema(bounds: FreeFormBounds = FREE_FORM_BOUNDS): Record<string, unknown> {
  let inner: Record<string, unknown> = { type: [...SCALARS], maxLength: bounds.maxLength };
  for (let level = 0; level < bounds.depth; level++) inner = boundedContainer(inner, bounds);
  return inner;
}

/** An object of free-form fields, bounded as freeFormSchema; for a body part that must be an object. */
export function freeFormObjectSchema(bounds: FreeFormBounds = FREE_FORM_BOUNDS): Record<string, unknown> {
  return {
    type: "object",
    maxProperties: bounds.maxProperties,
    propertyNames: { maxLength: bounds.maxLength },
    additionalProperties: freeFormSchema({ ...bounds, depth: bounds.depth - 1 }),
  };
}

function boundedContainer(child: Record<string, unknown>, b: FreeFormBounds): Record<string, unknown> {
  return {
    type: [...SCALARS, "object", "array"],
    maxLength: b.maxLength,
    maxProperties: b.maxProperties,
    propertyNames: { maxLength: b.maxLength },
    additionalProperties: child,
    maxItems: b.maxItems,
    items: child,
  };
}
