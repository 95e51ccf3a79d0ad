// JSON schemas of data protection on the wire: a task's Regulation and a
// node's attribute certificate (src/pca/certificate.ts checks the rest: real
// country codes, canonical times, key and signature lengths).
const COUNTRY = { type: "string", pattern: "^[A-Z]{2}$", description: "ISO 3166-1 alpha-2" } as const;
const ORGANISATION = { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$" } as const;

export const regulationSchema = {
  type: "object",
  additionalProperties: false,
  minProperties: 1,
  description: "Data protection: the countries the task may run in and the organisations that use it (a node must be certified for each)",
  properties: {
    countries: { type: "array", minItems: 1, maxItems: 249, uniqueItems: true, items: COUNTRY },
    organisations: { type: "array", minItems: 1, maxItems: 32, uniqueItems: true, items: ORGANISATION },
  },
} as const;

export const attributeCertSchema = {
  type: "object",
  required: ["format", "payload", "signature"],
  additionalProperties: false,
  description: "The node's attribute certificate, signed by a Privacy Certificate Authority (fleximigrate pca issue)",
  properties: {
    format: { type: "string", enum: ["fleximigrate-attribute-certificate"] },
    payload: {
      type: "object",
      required: ["version", "serial", "subject", "country", "organisations", "notBefore", "notAfter", "subjectPublicKey", "issuer"],
      additionalProperties: false,
      properties: {
        version: { type: "integer", enum: [1] },
        serial: { type: "string", pattern: "^[0-9a-f]{32}$" },
        subject: { type: "string", maxLength: 63 },
        country: COUNTRY,
        organisations: { type: "array", minItems: 1, maxItems: 32, items: ORGANISATION },
        notBefore: { type: "string", maxLength: 32 },
        notAfter: { type: "string", maxLength: 32 },
        subjectPublicKey: { type: "string", pattern: "^[A-Za-z0-9_-]{43}$" },
        issuer: { type: "string", pattern: "^[0-9a-f]{32}$" },
      },
    },
    signature: { type: "string", pattern: "^[A-Za-z0-9_-]{86}$" },
  },
} as const;
