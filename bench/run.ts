// `npm run bench -- NAME [options]`: the same benchmarks as `fleximigrate bench NAME`.
import { dispatch } from "../src/cli/dispatch.js";
import { benches } from "./benches.js";

process.exitCode = await dispatch(benches, process.argv.slice(2), "npm run bench --");
