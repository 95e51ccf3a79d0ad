// The throw-away CA of the benches (bench/throwaway-ca.ts), for TLS tests.
export { type IssuedFiles, TestCa } from "../../bench/throwaway-ca.js";
