// Runs the CLI from source (tests must not depend on a fresh build in dist/).
import { main } from "../../src/cli/main.js";

process.exitCode = await main(process.argv);
