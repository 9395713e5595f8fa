// `headroom proxy`: the long-running proxy for any client. Resolves its settings once (flags > env >
// config > defaults), opens the store and the ledger, prints where it listens and how to point
// agents at it, and shuts down cleanly on SIGINT / SIGTERM.
import type { LedgerEntry } from "../ledger/types.js";
import type { ProxyOptions } from "../proxy/server.js";
import { HeadroomError } from "../errors.js";
import { note, printJson } from "./output.js";
import { resolveSettings } from "./settings.js";
import { loadConfiguredProseModel } from "./prose-model.js";

export interface ProxyCommandOptions {
  readonly port?: string;
  readonly host?: string;
  readonly mode?: string;
  readonly anthropicUpstream?: string;
  readonly openaiUpstream?: string;
  readonly json?: boolean;
}

/** Resolves a stop signal: SIGINT or SIGTERM (tests pass their own promise). */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(signal);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

export async function proxyCommand(options: ProxyCommandOptions, env: NodeJS.ProcessEnv = process.env, stop: Promise<unknown> = stopSignal()): Promise<number> {
  const settings = await resolveSettings(options.mode === undefined ? {} : { mode: options.mode }, env);
  const port = parsePort(options.port ?? env.HEADROOM_PORT ?? "8787");
  const host = options.host ?? env.HEADROOM_HOST ?? "127.0.0.1";
  const [{ startProxy }, { normalizeUpstream, DEFAULT_UPSTREAMS }, { openStoreWith }, { Ledger }] = await Promise.all([
    import("../proxy/server.js"),
    import("../proxy/upstream.js"),
    import("./store.js"),
    import("../ledger/ledger.js"),
  ]);
  const upstreams = {
    anthropic: upstream(options.anthropicUpstream ?? env.HEADROOM_ANTHROPIC_UPSTREAM, "--anthropic-upstream", DEFAULT_UPSTREAMS.anthropic, normalizeUpstream),
    openai: upstream(options.openaiUpstream ?? env.HEADROOM_OPENAI_UPSTREAM, "--openai-upstream", DEFAULT_UPSTREAMS.openai, normalizeUpstream),
  };
  const store = settings.mode === "off" ? null : await openStoreWith(settings, { backgroundCheckpoint: true });
  // Open in every mode: /stats shows what earlier runs recorded even when this one records nothing.
  const ledger = Ledger.open({ path: settings.dbPath });
  const proseModel = settings.mode === "off" ? undefined : await loadConfiguredProseModel(settings, (line) => process.stderr.write(`${line}\n`));
  const proxyOptions: ProxyOptions = {
    port,
    host,
    mode: settings.mode,
    upstreams,
    store,
    reads: { fileReads: settings.fileReads, fileReadMinTokens: settings.fileReadMinTokens },
    ...(proseModel ? { proseModel } : {}),
    env,
    record: (entry: LedgerEntry) => ledger.record(entry),
    stats: () => ledger.summary(),
  };
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  try {
    proxy = await startProxy(proxyOptions);
  } catch (error) {
    store?.close();
    ledger.close();
    throw error;
  }
  const openaiBase = `${proxy.url}/v1`;
  if (options.json) {
    printJson({ url: proxy.url, host: proxy.host, port: proxy.port, mode: proxy.mode, upstreams: proxy.upstreams, env: { ANTHROPIC_BASE_URL: proxy.url, OPENAI_BASE_URL: openaiBase } });
  } else {
    process.stdout.write(
      [
        `headroom proxy listening on ${proxy.url} (mode: ${proxy.mode})`,
        `  upstreams: Anthropic ${proxy.upstreams.anthropic}, OpenAI ${proxy.upstreams.openai}`,
        "",
        "Point your agents at it:",
        `  Claude Code, Anthropic SDKs:  ANTHROPIC_BASE_URL=${proxy.url}`,
        `  OpenAI SDKs, Copilot CLI:     OPENAI_BASE_URL=${openaiBase}  COPILOT_PROVIDER_BASE_URL=${openaiBase}`,
        `  Codex:                        -c 'model_providers.headroom={name="headroom",base_url="${openaiBase}",wire_api="responses",env_key="OPENAI_API_KEY"}' -c model_provider=headroom`,
        "",
        `Health: ${proxy.url}/health   Stats: ${proxy.url}/stats   Stop: Ctrl-C`,
        "",
      ].join("\n"),
    );
  }
  await stop;
  if (!options.json) note("headroom proxy: shutting down");
  await proxy.close();
  store?.close();
  ledger.close();
  return 0;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new HeadroomError("HR_BAD_OPTION", `--port must be a port number between 0 and 65535, got "${value}".`);
  }
  return port;
}

function upstream(value: string | undefined, flag: string, fallback: string, normalize: (value: string, flag: string) => string): string {
  if (value === undefined || value === "") return fallback;
  try {
    return normalize(value, flag);
  } catch (error) {
    throw new HeadroomError("HR_BAD_OPTION", error instanceof Error ? error.message : String(error));
  }
}
