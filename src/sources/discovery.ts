// What every file-based source hands to the indexer: files found, with the facts needed to skip unchanged ones.

/** A file format's name, as an agent's `formats` registers it (e.g. Gemini's legacy single-JSON chats: gemini-json). */
export type FileSourceName = string;

export interface DiscoveredFile {
  /** Real path: the file's identity in checkpoints. */
  path: string;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  source: FileSourceName;
  sessionFallback: string;
  projectFallback: string;
  /** What the model names its records use stand for (Droid's `custom:<name>-<n>` → the model it calls). */
  models?: Record<string, string>;
}

export interface Discovery {
  files: DiscoveredFile[];
  /** Unreadable directories and files: reported, never fatal. */
  problems: string[];
  /** Set when no root of the source exists at all: one clear line for the user. */
  missing: string | null;
  listings: ListingChanges;
  /** Every folder walked (real paths), for watching: a new file may appear in any of them. */
  folders: string[];
}

/** A folder's entries as last read, valid while the folder's mtime is unchanged. */
export interface DirListing {
  mtimeMs: number;
  /** Name and kind: d folder, f file, l symbolic link, o other. */
  entries: Array<[name: string, kind: 'd' | 'f' | 'l' | 'o']>;
}

export type DirListings = Map<string, DirListing>;

/** Folder listings found by a discovery: what to keep for the next one, and what no longer exists. */
export interface ListingChanges {
  changed: DirListings;
  removed: string[];
}
