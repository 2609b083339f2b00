// Where Qwen Code keeps usage: under its runtime folder, QWEN_RUNTIME_DIR, else settings' advanced.runtimeOutputDir,
// else QWEN_HOME, else ~/.qwen: `usage/token-usage-YYYY-MM.jsonl` and `projects/<project>/chats/<session>.jsonl`.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { AgentDiscovery } from '../agent-source.js';
import { emptyDiscovery, homeOf, walk } from '../walk.js';

export function qwenRuntimeDir(env: NodeJS.ProcessEnv): string {
  if (env.QWEN_RUNTIME_DIR) return env.QWEN_RUNTIME_DIR;
  const config = env.QWEN_HOME || join(homeOf(env), '.qwen');
  try {
    const s = JSON.parse(readFileSync(join(config, 'settings.json'), 'utf8')) as { advanced?: { runtimeOutputDir?: unknown } };
    const dir = s.advanced?.runtimeOutputDir;
    if (typeof dir === 'string' && dir) return dir.startsWith('~/') ? join(homeOf(env), dir.slice(2)) : dir;
  } catch {
    // no settings (or not JSON, which Qwen Code reports itself): the default folder
  }
  return config;
}

export function discoverQwenFiles(env: NodeJS.ProcessEnv): AgentDiscovery {
  const out = emptyDiscovery();
  const seen = new Set<string>();
  const root = qwenRuntimeDir(env);
  walk(join(root, 'usage'), (name, rel) => (rel.length === 0 && name.startsWith('token-usage-') && name.endsWith('.jsonl') ? 'qwen-usage' : null), out, seen,
    () => ({ session: '', project: '' }));
  walk(join(root, 'projects'), (name, rel) => (rel.length === 2 && rel[1] === 'chats' && name.endsWith('.jsonl') ? 'qwen-chat' : null), out, seen,
    (path) => ({ session: basename(path, '.jsonl'), project: '' }));
  return out;
}
