// Wires flags to command functions. No business logic here; each command's module is imported
// inside its action so `headroom --version` loads nothing else.
import { VERSION } from "../version.js";

// The file-read settings (env or config file only), shown under proxy and wrap.
const FILE_READS_HELP =
  "\nFile reads (what agents edit against):\n" +
  "  HEADROOM_FILE_READS=large (default)  a whole-file read over HEADROOM_FILE_READ_MIN_TOKENS (default 2000)\n" +
  "                                       is compressed: kept lines verbatim with their line numbers, each gap\n" +
  "                                       a marker; ranged and smaller reads go out byte for byte\n" +
  "  HEADROOM_FILE_READS=exact            every file read goes out byte for byte\n" +
  "  (or fileReads / fileReadMinTokens in the config file)\n";

export async function main(argv: readonly string[]): Promise<number> {
  // The most common scripted call answers before anything else loads.
  if (argv.length === 3 && (argv[2] === "--version" || argv[2] === "-v")) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  (await import("./output.js")).endQuietlyOnClosedPipe();
  const { Command, CommanderError } = await import("commander");
  let exitCode = 0;
  const run = async (command: () => Promise<number>) => {
    exitCode = await command();
  };
  const program = new Command("headroom")
    .description("Local, reversible context compression for AI coding agents.")
    .version(VERSION, "-v, --version", "print the version")
    .showHelpAfterError()
    .exitOverride();

  program
    .command("compress")
    .description("compress one piece of content (a log, JSON, grep output...) and print it")
    .argument("[file]", "file to read, or - for standard input (default: standard input)")
    .option("-q, --query <text>", "what you are looking for; matching parts are kept")
    .option("-k, --kind <kind>", "skip detection: json, search, log, diff, listing, code, html, prose, text")
    .option("--json", "print one JSON object: version, text, kind, tokensBefore, tokensAfter, hashes, fallback")
    .addHelpText("after", "\nExamples:\n  npm test 2>&1 | headroom compress -\n  headroom compress big.json --query 'order 4411' --json")
    .action((file: string | undefined, options: { query?: string; kind?: string; json?: boolean }) =>
      run(async () => (await import("./compress.js")).compressCommand({ ...options, ...(file ? { file } : {}) }))
    );

  program
    .command("retrieve")
    .description("print the original behind a marker's hash (exact bytes), or only the parts matching --query")
    .argument("<hash>", "the 16 hex digits after hash= in a marker")
    .option("-q, --query <text>", "only the matching lines or items, with context")
    .option("--json", "print one JSON object instead of the text")
    .addHelpText("after", "\nExamples:\n  headroom retrieve 3f9a1c02b7de4410\n  headroom retrieve 3f9a1c02b7de4410 --query ECONNRESET")
    .action((hash: string, options: { query?: string; json?: boolean }) =>
      run(async () => (await import("./retrieve.js")).retrieveCommand({ hash, ...options }))
    );

  program
    .command("purge")
    .description("delete stored originals (markers naming them can no longer be retrieved)")
    .option("--all", "delete everything")
    .option("--older-than <duration>", "delete originals not used for this long, e.g. 3d, 12h")
    .option("--json", "print one JSON object")
    .addHelpText("after", "\nExamples:\n  headroom purge --older-than 3d\n  headroom purge --all")
    .action((options: { all?: boolean; olderThan?: string; json?: boolean }) =>
      run(async () => (await import("./purge.js")).purgeCommand(options)),
    );

  program
    .command("proxy")
    .description("run the compressing proxy for any agent or SDK (long-running; Ctrl-C stops it)")
    .option("-p, --port <port>", "port to listen on, 0 for any free one (default: 8787, env HEADROOM_PORT)")
    .option("--host <address>", "address to bind (default: 127.0.0.1; anything else is reachable from other machines)")
    .option("-m, --mode <mode>", "compress, measure (forward originals, record savings) or off (pure pass-through)")
    .option("--anthropic-upstream <url>", "Anthropic API base, without /v1 (default: https://api.anthropic.com)")
    .option("--openai-upstream <url>", "OpenAI-compatible API base, with /v1 (default: https://api.openai.com/v1)")
    .option("--json", "print where it listens as one JSON object")
    .addHelpText("after", `${FILE_READS_HELP}\nExamples:\n  headroom proxy\n  ANTHROPIC_BASE_URL=http://127.0.0.1:8787 claude\n  headroom proxy --port 9000 --openai-upstream http://localhost:4000/v1 --mode measure`)
    .action((options: { port?: string; host?: string; mode?: string; anthropicUpstream?: string; openaiUpstream?: string; json?: boolean }) =>
      run(async () => (await import("./proxy.js")).proxyCommand(options)),
    );

  program
    .command("wrap")
    .description("run an agent through headroom: proxy + agent in one command, savings report on exit")
    .argument("<agent>", "claude, codex, copilot, aider or cursor")
    .argument("[agent-args...]", "everything after -- goes to the agent verbatim")
    .option("--bin <path>", "the agent's executable (default: found on PATH)")
    .option("--mode <mode>", "compress, measure (forward originals, record savings) or off")
    .option("--report-json <file>", "also write the exit report as JSON to this file")
    .option("--quiet", "no report on stderr")
    .addHelpText(
      "after",
      `${FILE_READS_HELP}\nExamples:\n  headroom wrap claude\n  headroom wrap codex -- exec 'fix the failing test'\n  headroom wrap claude --report-json report.json -- -p 'summarize the logs'`,
    )
    .action((agent: string, agentArgs: string[], options: { bin?: string; mode?: string; reportJson?: string; quiet?: boolean }) =>
      run(async () => (await import("./wrap.js")).wrapCommand({ agent, agentArgs, ...options })),
    );

  program
    .command("stats")
    .description("what headroom saved, by session, agent, model, content kind and day")
    .option("--since <duration>", "only requests in this window, e.g. 24h, 7d")
    .option("--agent <name>", "only one agent: claude-code, codex, copilot, aider, cursor, unknown")
    .option("--session <key>", "only one session")
    .option("--json", "print one JSON object")
    .addHelpText("after", "\nExamples:\n  headroom stats --since 7d\n  headroom stats --agent codex --json")
    .action((options: { since?: string; agent?: string; session?: string; json?: boolean }) =>
      run(async () => (await import("./stats.js")).statsCommand(options)),
    );

  program
    .command("show")
    .description("the last N tool outputs headroom compressed, with the hash that retrieves each")
    .argument("[n]", "how many (default 20)")
    .option("--agent <name>", "only one agent")
    .option("--json", "print one JSON object")
    .addHelpText("after", "\nExamples:\n  headroom show 5\n  headroom retrieve <hash from the list>")
    .action((count: string | undefined, options: { agent?: string; json?: boolean }) =>
      run(async () => (await import("./show.js")).showCommand({ ...options, ...(count ? { count } : {}) })),
    );

  program
    .command("learn")
    .description("mine agents' session logs for failures and write corrections into CLAUDE.md / AGENTS.md / GEMINI.md")
    .option("--agent <name>", "claude, codex, gemini or all (default: all, each agent that has sessions)")
    .option("--project <dir>", "the project whose sessions are read (default: the current directory)")
    .option("--since <duration>", "only sessions active in this window, e.g. 30d, 12h")
    .option("--apply", "write the instruction files (default: dry run, print the diff)")
    .option("--target <file>", "write this file instead (e.g. CLAUDE.local.md); all chosen agents' rules go there")
    .option("--min-evidence <n>", "fewest occurrences a rule needs (default: 2)")
    .option("--llm", "ask the agent's CLI (claude -p, codex exec) to reword the rules; offline wording if it fails")
    .option("--json", "print one JSON object: version, project, dryRun, targets (rules, diff), read, filesSkipped")
    .addHelpText(
      "after",
      "\nExamples:\n  headroom learn\n  headroom learn --agent claude --since 30d --apply\n  headroom learn --agent codex --min-evidence 1 --json",
    )
    .action((options: { agent?: string; project?: string; since?: string; apply?: boolean; target?: string; minEvidence?: string; llm?: boolean; json?: boolean }) =>
      run(async () => (await import("./learn.js")).learnCommand(options)),
    );

  program
    .command("doctor")
    .description("check the install, the store, grammars, the prose model, agents and settings (exit 1 when a check fails)")
    .option("--json", "print one JSON object: version, ok, checks [{ id, status: ok|warn|fail, detail }]")
    .addHelpText("after", "\nExamples:\n  headroom doctor\n  headroom doctor --json | jq '.checks[] | select(.status != \"ok\")'")
    .action((options: { json?: boolean }) => run(async () => (await import("./doctor.js")).doctorCommand(options)));

  const mcp = program.command("mcp").description("MCP server with headroom_compress, headroom_retrieve, headroom_stats");
  mcp
    .command("serve")
    .description("serve MCP on stdio (for an agent's MCP configuration)")
    .addHelpText("after", '\nExample (Claude Code):\n  claude --mcp-config \'{"mcpServers":{"headroom":{"command":"headroom","args":["mcp","serve"]}}}\'')
    .option("--session <id>", "count retrievals for this `headroom wrap` run (set by wrap)")
    .action((options: { session?: string }) => run(async () => (await import("./mcp.js")).mcpServeCommand(options)));
  mcp
    .command("install")
    .description("register headroom's MCP server with your agents for good (claude, codex, copilot)")
    .option("--agent <name>", "only this agent: claude, codex or copilot (default: every one found on PATH)")
    .option("--json", "print one JSON object")
    .addHelpText(
      "after",
      "\nThe agents start the server as `<this node> <this package's bin/headroom.js> mcp serve` (absolute\n" +
        "paths, so it works whatever PATH the agent has). Run install again after moving Node or headroom.\n" +
        "  claude   claude mcp add --scope user headroom -- ...   (~/.claude.json)\n" +
        "  codex    a [mcp_servers.headroom] table, marked by a comment, appended to $CODEX_HOME/config.toml\n" +
        "  copilot  mcpServers.headroom in $COPILOT_HOME/mcp-config.json (default ~/.copilot)\n" +
        "A second install changes nothing. An entry named headroom that you wrote is reported, never replaced.\n" +
        "\nExamples:\n  headroom mcp install\n  headroom mcp install --agent codex",
    )
    .action((options: { agent?: string; json?: boolean }) => run(async () => (await import("./mcp.js")).mcpInstallCommand(options)));
  mcp
    .command("uninstall")
    .description("remove exactly what `headroom mcp install` added (the rest of each file is left as it is)")
    .option("--agent <name>", "only this agent: claude, codex or copilot (default: all three)")
    .option("--json", "print one JSON object")
    .addHelpText("after", "\nExamples:\n  headroom mcp uninstall\n  headroom mcp uninstall --agent claude")
    .action((options: { agent?: string; json?: boolean }) => run(async () => (await import("./mcp.js")).mcpUninstallCommand(options)));

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    return (await import("./report-error.js")).reportError(error);
  }
}
