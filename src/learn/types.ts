// What the session-log readers produce and the miner consumes: one agent-neutral event stream per
// session. Readers know file formats; the miner knows only these events.

export type LearnAgent = "claude" | "codex" | "gemini";

interface EventBase {
  readonly agent: LearnAgent;
  /** Session id from the transcript (else the file name without extension). */
  readonly session: string;
  /** Position in the session, from 0, in transcript order. */
  readonly index: number;
  /** ISO time when the transcript records one. */
  readonly time?: string;
  /** Working directory the agent ran in, when the transcript records it. */
  readonly cwd?: string;
}

/** A tool call together with its result. */
export interface ToolEvent extends EventBase {
  readonly kind: "tool";
  /** Tool name as the agent calls it: Bash, Read, Edit, exec_command, shell, run_shell_command... */
  readonly tool: string;
  /** The shell command, for shell tools. */
  readonly command?: string;
  /** The file or directory path argument, for file tools. */
  readonly path?: string;
  /** Result text, cut to at most 4,000 characters (head and tail kept) to bound memory. */
  readonly output: string;
  /** The agent marked the result as an error (is_error, a failed status). */
  readonly isError: boolean;
  /** Exit code of a shell command, when the result carries one. */
  readonly exitCode?: number;
}

/** Text the human typed (agent-injected wrappers such as <system-reminder> removed). */
export interface UserEvent extends EventBase {
  readonly kind: "user";
  readonly text: string;
}

export type TranscriptEvent = ToolEvent | UserEvent;

/** One session's events, in order, with where they came from. */
export interface SessionLog {
  readonly agent: LearnAgent;
  readonly session: string;
  /** Transcript file the events were read from. */
  readonly file: string;
  readonly events: readonly TranscriptEvent[];
  /** For a subagent (sidechain) transcript: the session that started it. */
  readonly parent?: string;
}

/** Counters a reader fills while it reads (the CLI reports "N files skipped"); see createReadStats. */
export interface ReadStats {
  /** Transcript files opened. */
  files: number;
  /** Files that could not be read or were not the expected format. */
  filesSkipped: number;
  /** Lines that were not JSON (malformed, truncated at the end of a file, or over the size cap). */
  linesSkipped: number;
  /** Bytes read so far. */
  bytes: number;
}

/** Where and what to read; resolved once in src/cli (flags > env > defaults). */
export interface ReadOptions {
  /** Absolute project directory whose sessions are read (default: the current directory). */
  readonly project: string;
  /** Only sessions with activity at or after this time (epoch ms). */
  readonly since?: number;
  /** HOME, CLAUDE_CONFIG_DIR, CODEX_HOME, GEMINI_CLI_HOME...: the readers take them from here, never from process.env. */
  readonly env: NodeJS.ProcessEnv;
  /** Called with bytes read so far, for a progress spinner. */
  readonly onProgress?: (bytesRead: number) => void;
  /** Filled while reading: files read and skipped, lines skipped, bytes. */
  readonly stats?: ReadStats;
}

/** One reader per agent: streams sessions one at a time so memory stays bounded. */
export type SessionReader = (options: ReadOptions) => AsyncIterable<SessionLog>;
