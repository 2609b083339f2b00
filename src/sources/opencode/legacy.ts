// OpenCode before its database (2026-01): `storage/message/<sessionID>/<messageID>.json`, one message each, rewritten
// as it completes. Only read where no database exists (OpenCode moves these into it when it upgrades). A message's
// tokens are its last step's: exact for single-step messages, the only kind old versions recorded apart.
import { count, FormatError, isObject, jsonDocumentFormat, nonEmpty, recordedCost, type FileFormat } from '../file-format.js';

export function openCodeMessageFile(tool: string): FileFormat {
  return jsonDocumentFormat((m, ctx, emit) => {
    if (!isObject(m) || m.role !== 'assistant') return undefined;
    const time = isObject(m.time) ? m.time : {};
    // Written at the start of the call with zero tokens, and again when it completes.
    if (typeof time.completed !== 'number' || !isObject(m.tokens)) return undefined;
    const t = m.tokens;
    const cache = isObject(t.cache) ? t.cache : {};
    try {
      const reasoning = count(t, 'reasoning', 'tokens');
      const id = nonEmpty(m.id) ?? ctx.fileKey;
      emit({
        input: count(t, 'input', 'tokens'), output: count(t, 'output', 'tokens') + reasoning, reasoning,
        cacheRead: count(cache, 'read', 'tokens.cache'), cacheWrite5m: count(cache, 'write', 'tokens.cache'), cacheWrite1h: 0,
        ts: typeof time.created === 'number' ? time.created : time.completed, tool, source: 'transcript', host: ctx.host,
        sessionId: nonEmpty(m.sessionID) ?? ctx.sessionFallback, project: (isObject(m.path) ? nonEmpty(m.path.cwd) : null) ?? ctx.projectFallback,
        model: nonEmpty(m.modelID) ?? 'unknown', speed: 'standard', reportedCost: recordedCost(m.cost),
        dedupKey: `${tool}:${id}`, requestId: null, isSidechain: false,
      });
      return undefined;
    } catch (e) {
      // One message per file: a bad count is a document that cannot be read (what it gave before stays).
      if (e instanceof FormatError) return e.message;
      throw e;
    }
  });
}
