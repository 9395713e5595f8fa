#!/usr/bin/env node
// Thin launcher: everything lives in the built CLI so `--version` loads nothing else.
import { main } from "../dist/src/cli/main.js";

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error);
    process.exitCode = 70;
  },
);
