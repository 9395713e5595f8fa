// GitHub Copilot CLI: `mcpServers.headroom` in $COPILOT_HOME/mcp-config.json (else
// ~/.copilot/mcp-config.json; measured on 1.0.102: XDG variables are not used). `copilot mcp add`
// would rewrite the whole file (keys reordered, reindented), so the entry is spliced into the text
// instead (json-edit.ts) and uninstall takes out exactly those bytes. An entry named headroom that
// does not run `headroom mcp serve` is the user's: reported, never touched.
import { join } from "node:path";
import { homeOf } from "../../adapters/common.js";
import type { Env } from "../../adapters/types.js";
import { formatValue, insertMember, leadingWs, type Layout, memberOf, objectValue, removeMember, rootObject, type ObjectSpan } from "./json-edit.js";
import { describeCommand, editConfigFile, type FileEdit, looksLikeOurs, sameCommand, SERVER_NAME, type InstallContext, type InstallStatus, type Outcome, type ServerCommand, type UninstallStatus } from "./install-common.js";

export const copilotConfigPath = (env: Env): string => join(env.COPILOT_HOME ?? join(homeOf(env), ".copilot"), "mcp-config.json");

/** The entry Copilot gets (the same shape `wrap` passes with --additional-mcp-config). */
export const copilotEntry = (server: ServerCommand): Record<string, unknown> => ({ type: "local", command: server.command, args: [...server.args], tools: ["*"] });

// The whole file install creates when there is none.
const freshFile = (entry: unknown): string => `${JSON.stringify({ mcpServers: { [SERVER_NAME]: entry } }, null, 2)}\n`;

interface Located {
  root: ObjectSpan;
  servers: ObjectSpan | undefined;
  index: number;
  entry: unknown;
}

// Throws SyntaxError on a file that is not a JSON object.
function locate(text: string): Located {
  JSON.parse(text); // refuse anything JSON.parse (and so the agent) would not read
  const root = rootObject(text);
  const m = memberOf(root, "mcpServers");
  const servers = m === undefined ? undefined : objectValue(text, m);
  if (m !== undefined && servers === undefined) throw new SyntaxError("mcpServers is not an object");
  const index = servers === undefined ? -1 : servers.members.findLastIndex((s) => s.key === SERVER_NAME);
  const span = index < 0 ? undefined : servers?.members[index];
  return { root, servers, index, entry: span === undefined ? undefined : JSON.parse(text.slice(span.valueStart, span.valueEnd)) };
}

// Removes our member; when install created `mcpServers` around it (recognisable by the whitespace
// it put before the key, which insertion into an existing empty object never does), that too.
function removeEntry(text: string, at: Located): string {
  const servers = at.servers as ObjectSpan;
  if (servers.members.length === 1 && leadingWs(text, servers, 0) !== "") {
    return removeMember(text, at.root, at.root.members.findLastIndex((m) => m.key === "mcpServers"));
  }
  return removeMember(text, servers, at.index);
}

// A created `mcpServers` always has whitespace before its one key (removeEntry relies on it).
function createdServers(entry: unknown): (layout: Layout) => string {
  return (l) => {
    const inner = l.pretty ? `${l.eol}${l.indent}  ` : " ";
    const close = l.pretty ? `${l.eol}${l.indent}` : " ";
    return `{${inner}${JSON.stringify(SERVER_NAME)}: ${formatValue(entry, { ...l, indent: `${l.indent}  ` })}${close}}`;
  };
}

function addEntry(text: string, entry: unknown): string {
  const at = locate(text);
  return at.servers === undefined ? insertMember(text, at.root, "mcpServers", createdServers(entry)) : insertMember(text, at.servers, SERVER_NAME, entry);
}

/** What install does to `text` (undefined: no file). Pure, for tests. */
export function copilotInstallEdit(text: string | undefined, server: ServerCommand): FileEdit<InstallStatus> {
  const entry = copilotEntry(server);
  const added = `added mcpServers.headroom: ${describeCommand(server)}`;
  if (text === undefined || text.trim() === "") return { status: "installed", next: freshFile(entry), detail: added };
  let at: Located;
  try {
    at = locate(text);
  } catch (error) {
    return { status: "failed", next: undefined, detail: `not valid JSON (${(error as Error).message}); left as it is` };
  }
  if (at.entry === undefined) return { status: "installed", next: addEntry(text, entry), detail: added };
  if (!looksLikeOurs(at.entry)) return { status: "conflict", next: undefined, detail: "an mcpServers.headroom that headroom did not write is there; left as it is" };
  if (sameCommand(at.entry, server)) return { status: "already-installed", next: undefined, detail: "nothing changed" };
  return { status: "updated", next: addEntry(removeEntry(text, at), entry), detail: `updated mcpServers.headroom: ${describeCommand(server)}` };
}

/** What uninstall does to `text`. Pure, for tests. */
export function copilotUninstallEdit(text: string | undefined): FileEdit<UninstallStatus> {
  if (text === undefined) return { status: "not-installed", next: undefined, detail: "not installed" };
  let at: Located;
  try {
    at = locate(text);
  } catch (error) {
    return { status: "failed", next: undefined, detail: `not valid JSON (${(error as Error).message}); left as it is` };
  }
  if (at.entry === undefined) return { status: "not-installed", next: undefined, detail: "not installed" };
  if (!looksLikeOurs(at.entry)) return { status: "conflict", next: undefined, detail: "mcpServers.headroom does not run `headroom mcp serve`: yours, left as it is" };
  if (text === freshFile(at.entry)) return { status: "removed", next: null, detail: "removed the file headroom created" };
  return { status: "removed", next: removeEntry(text, at), detail: "removed mcpServers.headroom" };
}

export async function installCopilot(ctx: InstallContext): Promise<Outcome<InstallStatus>> {
  return editConfigFile("copilot", copilotConfigPath(ctx.env), (text) => copilotInstallEdit(text, ctx.server));
}

export async function uninstallCopilot(ctx: Pick<InstallContext, "env">): Promise<Outcome<UninstallStatus>> {
  return editConfigFile("copilot", copilotConfigPath(ctx.env), (text) => copilotUninstallEdit(text));
}
