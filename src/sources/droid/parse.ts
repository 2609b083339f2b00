// Factory Droid's `<session>.settings.json`: no per-call records exist on disk, only the session's running totals
// (`tokenUsage`), rewritten after every call. A session is therefore one record that grows, keyed by the session and
// timed by the file's last write; how many requests it made is not known (it counts as one). `inclusiveTokenUsage`
// adds the sub-sessions, which have their own files: never read. `inputTokens` is uncached; `outputTokens` includes
// `thinkingTokens`. `factoryCredits` are not USD (kept beside the tokens as the session's credits): the cost comes from the price database.
import { sessionTotalKey } from '../../core/event.js';
import { count, FormatError, isObject, jsonDocumentFormat, nonEmpty } from '../file-format.js';

/** `custom:<name>-<n>` → the custom model's own model, where discovery knows it. */
export function droidModel(name: string, models: Record<string, string> | undefined): string {
  return models?.[name] ?? models?.[name.replace(/-\d+$/, '')] ?? name;
}

export const droidSessionFormat = jsonDocumentFormat((s, ctx, emit) => {
  if (!isObject(s)) return 'not a Droid session settings file';
  if (!isObject(s.tokenUsage)) return undefined; // no call yet
  const u = s.tokenUsage;
  try {
    const output = count(u, 'outputTokens', 'tokenUsage');
    const input = count(u, 'inputTokens', 'tokenUsage');
    const cacheRead = count(u, 'cacheReadTokens', 'tokenUsage');
    const cacheWrite5m = count(u, 'cacheCreationTokens', 'tokenUsage');
    const reasoning = Math.min(count(u, 'thinkingTokens', 'tokenUsage'), output);
    if (input + output + cacheRead + cacheWrite5m === 0) return undefined;
    emit({
      input, output, cacheRead, cacheWrite5m, cacheWrite1h: 0, reasoning,
      ts: Math.floor(ctx.mtimeMs ?? Date.now()), tool: 'droid', source: 'transcript', host: ctx.host,
      sessionId: ctx.sessionFallback, project: ctx.projectFallback, model: droidModel(nonEmpty(s.model) ?? 'unknown', ctx.models),
      speed: 'standard', reportedCost: null, dedupKey: sessionTotalKey('droid', ctx.sessionFallback), requestId: null, isSidechain: false, sessionTotal: true,
      credits: typeof u.factoryCredits === 'number' && u.factoryCredits > 0 ? u.factoryCredits : null,
    });
    return undefined;
  } catch (e) {
    // The session's one record is the document: a bad total is a document that cannot be read (the last good stays).
    if (e instanceof FormatError) return e.message;
    throw e;
  }
});
