// The tests wait with the same bounded poll as the launcher and benchmarks.
export { type WaitOptions, waitFor } from "../../src/wait.js";
