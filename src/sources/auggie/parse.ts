// Auggie's `~/.augment/sessions/<session>.json`, one document per conversation rewritten whole (temp and rename) after
// each exchange. An exchange is one call to Augment's API: its `token_usage` node (type 10) has uncached input,
// output, cache reads and writes; no reasoning figure. No model is recorded (the model runs on Augment's side), so it
// is `unknown model (Augment)`, priced as unknown. The credits node (type 9), Augment's billing unit (not USD), is
// kept beside the tokens.
// Summarization and sub-agent calls are not written per call (only the session's sub-agent credits): not counted.
import { count, FormatError, guardRecord, isObject, jsonDocumentFormat, nonEmpty, timeOf } from '../file-format.js';

export const AUGMENT_MODEL = 'unknown model (Augment)';

/** The workspace folder the exchange's IDE state names, else its terminal's cwd. */
function cwdOf(exchange: Record<string, unknown>): string | null {
  for (const node of Array.isArray(exchange.request_nodes) ? exchange.request_nodes : []) {
    if (!isObject(node) || !isObject(node.ide_state_node)) continue;
    const ide = node.ide_state_node;
    const folder = Array.isArray(ide.workspace_folders) ? ide.workspace_folders.find(isObject) : undefined;
    const cwd = nonEmpty(folder?.folder_root) ?? nonEmpty(folder?.repository_root) ?? (isObject(ide.current_terminal) ? nonEmpty(ide.current_terminal.current_working_directory) : null);
    if (cwd) return cwd;
  }
  return null;
}

export const auggieSessionFormat = jsonDocumentFormat((doc, ctx, emit, problem) => {
  if (!isObject(doc) || !Array.isArray(doc.chatHistory)) return 'not an Auggie session (no chatHistory array)';
  const session = nonEmpty(doc.sessionId) ?? ctx.sessionFallback;
  let project = ctx.projectFallback;
  doc.chatHistory.forEach((item, i) => {
    const exchange = isObject(item) && isObject(item.exchange) ? item.exchange : null;
    if (!exchange) return;
    project = cwdOf(exchange) ?? project;
    const nodes = Array.isArray(exchange.response_nodes) ? exchange.response_nodes : [];
    const usage = nodes.find((n): n is Record<string, unknown> => isObject(n) && n.type === 10 && isObject(n.token_usage))?.token_usage;
    if (!isObject(usage)) return;
    const billing = nodes.find((n): n is Record<string, unknown> => isObject(n) && n.type === 9 && isObject(n.billing_metadata))?.billing_metadata;
    const credits = isObject(billing) && typeof billing.credits_consumed === 'number' && billing.credits_consumed >= 0 ? billing.credits_consumed : null;
    guardRecord(problem, `chatHistory[${i}]`, () => {
      const ts = timeOf(item.finishedAt ?? doc.modified);
      if (!Number.isFinite(ts)) throw new FormatError('finishedAt is not a time');
      emit({
        input: count(usage, 'input_tokens', 'token_usage'), output: count(usage, 'output_tokens', 'token_usage'),
        cacheRead: count(usage, 'cache_read_input_tokens', 'token_usage'), cacheWrite5m: count(usage, 'cache_creation_input_tokens', 'token_usage'), cacheWrite1h: 0, reasoning: 0,
        ts, tool: 'auggie', source: 'transcript', host: ctx.host, sessionId: session, project, model: AUGMENT_MODEL, speed: 'standard',
        reportedCost: null, dedupKey: `auggie:${nonEmpty(exchange.request_id) ?? `${session}:${i}`}`, requestId: null, isSidechain: false,
        credits,
      });
    });
  });
  return undefined;
}, ['content', 'request_message', 'response_text']); // text never read: cut before the document is decoded
