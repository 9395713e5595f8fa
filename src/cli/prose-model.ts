// The optional prose model, loaded once at a command's start when the settings name one. A model
// that does not load is reported and skipped: the extractive prose path stays active (fail-open).
import type { ProseModel } from "../resources/prose-model.js";
import type { Settings } from "./settings.js";

export async function loadConfiguredProseModel(settings: Pick<Settings, "proseModel">, warn: (line: string) => void): Promise<ProseModel | undefined> {
  if (settings.proseModel === undefined) return undefined;
  const { loadProseModel } = await import("../resources/prose-model.js");
  try {
    return await loadProseModel(settings.proseModel);
  } catch (error) {
    warn(`headroom: the prose model in ${settings.proseModel} was not loaded (${error instanceof Error ? error.message : String(error)}); prose is compressed by the extractive path. \`headroom doctor\` checks the setup.`);
    return undefined;
  }
}
